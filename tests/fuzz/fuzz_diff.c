/*
 * fuzz_diff.c - fuzz target for the diff module: the input is cut in two
 * at its first "\n===\n" (or in the middle) and the halves are compared
 * with rp_diff_texts(), cleaned and not.
 *
 * Checks, beyond "no crash": the figures are those of rp_doc_compare();
 * runs are at least k words, in A's order, disjoint in A and in B, with
 * byte ranges inside the texts and equal word hashes on both sides; every
 * shared word of a paragraph is counted once; the paragraph map names
 * only paragraphs that exist. Built with libFuzzer by `make fuzz`;
 * replay.c runs the saved corpus in `make check`.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "options.h"
#include "reprint.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(c) do { if (!(c)) abort(); } while (0)

static void check_diff(const char *a, size_t na, const char *b, size_t nb,
                       const rp_options *o)
{
    rp_diff d;
    CHECK(rp_diff_texts(a, na, b, nb, o, 0, &d) == RP_OK);
    /* the figures of the rule, when both texts have words */
    rp_doc *da, *db;
    rp_doc_new(a, na, o, &da);
    rp_doc_new(b, nb, o, &db);
    CHECK((da != NULL) == (d.words_a > 0) && (db != NULL) == (d.words_b > 0));
    if (da && db) {
        rp_sim s;
        rp_doc_compare(da, db, o, &s);
        CHECK(s.shared == d.sim.shared && s.similar == d.sim.similar);
        CHECK(s.score == d.sim.score && s.jaccard == d.sim.jaccard);
    }
    rp_doc_free(da);
    rp_doc_free(db);
    /* runs */
    unsigned char *ua = calloc(d.words_a + 1, 1), *ub = calloc(d.words_b + 1, 1);
    CHECK(ua && ub);
    size_t words = 0;
    for (size_t i = 0; i < d.nspans; i++) {
        const rp_span *s = &d.spans[i];
        CHECK(s->words >= o->shingle);
        CHECK(s->a + s->words <= d.words_a && s->b + s->words <= d.words_b);
        CHECK(i == 0 || s->a >= d.spans[i - 1].a + d.spans[i - 1].words);
        CHECK(s->a_start < s->a_end && s->a_end <= na);
        CHECK(s->b_start < s->b_end && s->b_end <= nb);
        CHECK(s->a_start == d.tok_a[s->a].start && s->b_start == d.tok_b[s->b].start);
        for (size_t t = 0; t < s->words; t++) {
            CHECK(d.tok_a[s->a + t].hash == d.tok_b[s->b + t].hash);
            CHECK(!ua[s->a + t] && !ub[s->b + t]);
            ua[s->a + t] = ub[s->b + t] = 1;
        }
        words += s->words;
    }
    CHECK(words == d.shared_words);
    free(ua);
    free(ub);
    /* paragraphs and their map */
    size_t sa = 0, sb = 0;
    for (size_t i = 0; i < d.nparas_a; i++) {
        CHECK(d.paras_a[i].start <= d.paras_a[i].end && d.paras_a[i].end <= na);
        CHECK(d.paras_a[i].shared <= d.paras_a[i].ntok);
        sa += d.paras_a[i].shared;
    }
    for (size_t j = 0; j < d.nparas_b; j++) {
        CHECK(d.paras_b[j].start <= d.paras_b[j].end && d.paras_b[j].end <= nb);
        sb += d.paras_b[j].shared;
    }
    CHECK(sa == d.shared_words && sb == d.shared_words);
    size_t linked = 0;
    for (size_t i = 0; i < d.nlinks; i++) {
        const rp_para_link *l = &d.links[i];
        if (l->rel == RP_PARA_ONLY_A || l->rel == RP_PARA_ONLY_B) {
            size_t np = l->rel == RP_PARA_ONLY_A ? d.nparas_a : d.nparas_b;
            CHECK(l->first <= l->last && l->last < np);
        } else {
            CHECK(l->a < d.nparas_a && l->b < d.nparas_b && l->words > 0);
            CHECK(l->a_share > 0 && l->a_share <= 1 && l->b_share > 0 && l->b_share <= 1);
            linked += l->words;
        }
    }
    CHECK(linked == d.shared_words);
    rp_diff_clear(&d);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *s = (const char *)data;
    size_t cut = size / 2, skip = 0;
    for (size_t i = 0; i + 5 <= size; i++)
        if (memcmp(s + i, "\n===\n", 5) == 0) {
            cut = i;
            skip = 5;
            break;
        }
    rp_options o;
    rp_options_init(&o);
    for (int keep = 0; keep <= 1; keep++) {
        o.keep_boilerplate = keep;
        for (unsigned k = 1; k <= 5; k += 4) {
            o.shingle = k;
            check_diff(s, cut, s + cut + skip, size - cut - skip, &o);
            check_diff(s + cut + skip, size - cut - skip, s, cut, &o);
        }
    }
    return 0;
}
