/*
 * clean.h - markup and page-furniture removal ahead of tokenization.
 */
#ifndef RP_CLEAN_H
#define RP_CLEAN_H

#include "normalize.h"

/* Feeds to t only the parts of its text that are article prose: markup,
 * furniture lines, datelines, bylines and reader comments are left out.
 * @return RP_OK or RP_ENOMEM. */
int rp_clean_feed(rp_tokenizer *t);

#endif
