/*
 * testutil.h - what every unit test includes first: cmocka (and the
 * headers it needs before it) and the public API. (Minimal version; the
 * shared helpers grow on the unit-tests branch.)
 */
#ifndef RP_TESTUTIL_H
#define RP_TESTUTIL_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "reprint.h"

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

#endif
