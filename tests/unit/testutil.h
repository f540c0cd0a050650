/*
 * testutil.h - what every unit test in tests/unit/ includes first: cmocka
 * (with the headers cmocka needs before it) and the public API.
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
