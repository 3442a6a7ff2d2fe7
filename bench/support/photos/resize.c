// bench/photos' measurement: the calls Booking's photo job makes for each upload (Shared/CVips/shim.h, the same
// header Swift imports), timed on a camera-sized JPEG and PNG made here.
#include "../../../Shared/CVips/shim.h"
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec / 1e9;
}

static int compare(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

// A width×height photo-like image (smooth noise, so that the codecs have work), encoded as `format` (0 JPEG, 2 PNG).
static void *make(int width, int height, int format, size_t *length) {
    VipsImage *noise, *blurred, *colour, *bands[3];
    void *buffer = NULL;
    vips_gaussnoise(&noise, width, height, "mean", 128.0, "sigma", 60.0, NULL);
    vips_gaussblur(noise, &blurred, 4.0, NULL);
    vips_cast_uchar(blurred, &bands[0], NULL);
    bands[1] = bands[0], bands[2] = bands[0];
    g_object_ref(bands[0]), g_object_ref(bands[0]);
    vips_bandjoin(bands, &colour, 3, NULL);
    if (format == 2) vips_pngsave_buffer(colour, &buffer, length, "compression", 6, NULL);
    else vips_jpegsave_buffer(colour, &buffer, length, "Q", 90, NULL);
    return buffer;
}

static void run(const char *name, int width, int height, int format, int rounds) {
    size_t length;
    void *input = make(width, height, format, &length);
    double *times = malloc(sizeof(double) * rounds);
    size_t written = 0;
    int widths[] = {1280, 640, 320};
    for (int round = 0; round < rounds; round++) {
        double start = now();
        VipsImage *decoded = mayago_vips_decode(input, length, 1280);
        if (!decoded) { fprintf(stderr, "%s\n", mayago_vips_take_error()); exit(1); }
        for (int w = 0; w < 3; w++) {
            VipsImage *image = w == 0 ? decoded : mayago_vips_thumbnail_image(decoded, widths[w]);
            for (int encoding = 0; encoding < 2; encoding++) {
                void *out;
                size_t size;
                if (mayago_vips_save(image, encoding, encoding ? 80 : 82, &out, &size)) exit(1);
                written += size;
                g_free(out);
            }
            if (w) g_object_unref(image);
        }
        g_object_unref(decoded);
        times[round] = now() - start;
    }
    qsort(times, rounds, sizeof(double), compare);
    printf("| %s %dx%d (%.1f MB) | %d | %.0f | %.0f | %.0f |\n", name, width, height, length / 1e6, rounds,
           times[rounds / 2] * 1000, times[(int)(rounds * 0.95)] * 1000, written / 1e3 / rounds);
    free(times);
    g_free(input);
}

int main(int argc, char **argv) {
    int rounds = argc > 1 ? atoi(argv[1]) : 20;
    if (mayago_vips_init()) return 1;
    printf("| upload | photos | p50 ms | p95 ms | kB written per photo (6 files) |\n|---|---|---|---|---|\n");
    run("JPEG", 4032, 3024, 0, rounds);
    run("JPEG", 1600, 1200, 0, rounds);
    run("PNG", 4032, 3024, 2, rounds / 4 > 0 ? rounds / 4 : 1);
    return 0;
}
