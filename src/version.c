/*
 * version.c - the library's version as a number, for callers that compare
 * versions (bindings loading the shared library at run time check it
 * against the RP_VERSION_* macros they were written for). The version
 * itself lives in include/reprint.h only.
 */
#include "reprint.h"

unsigned rp_version_number(void)
{
    return RP_VERSION_NUMBER;
}
