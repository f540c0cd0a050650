/*
 * version.c - what the library says about itself: its version, as a
 * string and as a number for callers that compare versions (bindings
 * loading the shared library at run time check it against the
 * RP_VERSION_* macros they were written for), and the text of its error
 * codes. The version itself lives in include/reprint.h only.
 */
#include "reprint.h"

unsigned rp_version_number(void)
{
    return RP_VERSION_NUMBER;
}

const char *rp_strerror(int code)
{
    switch (code) {
    case RP_OK: return "success";
    case RP_ENOMEM: return "out of memory";
    case RP_EINVAL: return "invalid argument";
    case RP_ENOWORDS: return "no words";
    case RP_EDUPID: return "duplicate id";
    case RP_ETOOBIG: return "text too large";
    case RP_ESTATE: return "operation out of order";
    case RP_ELOAD: return "cannot load the document again";
    case RP_EBINARY: return "looks binary (NUL byte in the first 8 KiB)";
    case RP_EDB: return "database error";
    case RP_EFORMAT: return "not a reprint index";
    case RP_EINCOMPAT: return "index built with other options";
    case RP_EBUSY: return "index is locked by another process";
    case RP_EREADONLY: return "index is read-only";
    case RP_EFULL: return "disk is full";
    case RP_ENOTFOUND: return "no such document";
    default: return "unknown error";
    }
}

const char *rp_version(void)
{
    return RP_VERSION_STRING;
}
