/* A stand-in for the vendor's licensed WLT photo library: the common `unpack` ABI.
 *
 * It "decodes" by filling 102x126 BGR pixel rows from the input bytes. The first input byte
 * picks the behaviour: 0xFF fails (returns 0), 'R' writes bare pixel rows, anything else a
 * whole BMP file (38862 bytes).
 */
#include <string.h>

#define ROW 308 /* 102 * 3 rounded up to 4 bytes */
#define PIXELS (ROW * 126)

static void put32(unsigned char *p, unsigned int v) {
    p[0] = v & 0xFF;
    p[1] = (v >> 8) & 0xFF;
    p[2] = (v >> 16) & 0xFF;
    p[3] = (v >> 24) & 0xFF;
}

int unpack(const unsigned char *wlt, unsigned char *out, int flags) {
    (void)flags;
    if (wlt[0] == 0xFF) return 0;
    unsigned char *pixels = out;
    if (wlt[0] != 'R') {
        memset(out, 0, 54);
        out[0] = 'B';
        out[1] = 'M';
        put32(out + 2, 54 + PIXELS);
        put32(out + 10, 54);
        put32(out + 14, 40);
        put32(out + 18, 102);
        put32(out + 22, 126);
        out[26] = 1;
        out[28] = 24;
        put32(out + 34, PIXELS);
        pixels = out + 54;
    }
    for (int i = 0; i < PIXELS; i++) pixels[i] = wlt[i % 1024];
    return 1;
}
