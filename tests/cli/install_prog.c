/*
 * install_prog.c - a small program that t_install.sh builds against the
 * installed libreprint with pkg-config (shared and static) and runs: it
 * checks the version the header and the library report and clusters three
 * short texts.
 */
#include <reprint.h>
#include <stdio.h>
#include <string.h>

static const char *text[] = {
    "The city council voted on Tuesday to close the old harbour bridge for "
    "repairs, a decision that will send traffic through the centre for a year.",
    "The city council voted on Tuesday to close the old harbour bridge for "
    "repairs, a decision that will send traffic through the centre for a year. "
    "Shop owners said they were worried.",
    "A heavy storm left thousands of homes without power in the north.",
};

int main(void)
{
    rp_options *o;
    rp_corpus *c;
    if (rp_options_new(&o) != RP_OK || rp_options_set(o, RP_OPT_MIN_SHARED, 1) != RP_OK ||
        rp_corpus_new(o, &c) != RP_OK || rp_version_number() != RP_VERSION_NUMBER ||
        strcmp(rp_version(), RP_VERSION_STRING) != 0)
        return 1;
    for (int i = 0; i < 3; i++) {
        char id[8];
        snprintf(id, sizeof id, "%d", i);
        rp_doc *d;
        size_t k;
        if (rp_doc_new(text[i], strlen(text[i]), o, &d) != RP_OK ||
            rp_corpus_add(c, id, d, &k) != RP_OK || k != (size_t)i)
            return 1;
    }
    if (rp_corpus_run(c) != RP_OK)
        return 1;
    printf("libreprint %s (%u): %zu clusters, the first of %zu\n", rp_version(),
           rp_version_number(), rp_corpus_nclusters(c), rp_cluster_size(c, 0));
    rp_corpus_free(c);
    rp_options_free(o);
    return 0;
}
