/*
 * brotli_enc.c - brotli-encodes standard input to standard output, with
 * libbrotlienc: t_warc.sh builds it to serve "Content-Encoding: br" pages
 * (Debian has no brotli command, and Python's brotli module is not in its
 * standard library). At most 16 MiB.
 */
#include <stdio.h>
#include <stdlib.h>

#include <brotli/encode.h>

int main(void)
{
    static unsigned char in[16 << 20], out[(16 << 20) + 1024];
    size_t n = fread(in, 1, sizeof in, stdin), k = sizeof out;
    if (ferror(stdin) || !feof(stdin) ||
        !BrotliEncoderCompress(BROTLI_DEFAULT_QUALITY, BROTLI_DEFAULT_WINDOW, BROTLI_MODE_TEXT,
                               n, in, &k, out))
        return 1;
    return fwrite(out, 1, k, stdout) == k && fflush(stdout) == 0 ? 0 : 1;
}
