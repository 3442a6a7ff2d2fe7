#include <vips/vips.h>

// libvips's calls take their options as NULL-ended varargs, which Swift cannot call: one fixed entry per use.

static inline void mayago_vips_ignore(const gchar *domain, GLogLevelFlags level, const gchar *message, gpointer data) {}

static inline int mayago_vips_init(void) {
    if (VIPS_INIT("mayago")) return -1;
    // A damaged upload is refused or shown as decoded; its warnings are not the service's log.
    g_log_set_handler("VIPS", G_LOG_LEVEL_WARNING, mayago_vips_ignore, NULL);
    // A server decodes each upload once: no operation cache, and one thread per image (the jobs run several).
    vips_cache_set_max(0);
    vips_concurrency_set(1);
    return 0;
}

// The class of the loader that recognises `buffer` ("VipsForeignLoadJpegBuffer", …) and the image's size, from its header only.
static inline const char *mayago_vips_probe(const void *buffer, size_t length, int *width, int *height) {
    const char *loader = vips_foreign_find_load_buffer(buffer, length);
    if (!loader) return NULL;
    VipsImage *image = vips_image_new_from_buffer(buffer, length, "", "access", VIPS_ACCESS_SEQUENTIAL, NULL);
    if (!image) return NULL;
    *width = vips_image_get_width(image);
    *height = vips_image_get_height(image);
    g_object_unref(image);
    return loader;
}

// `buffer` decoded, turned upright by its EXIF orientation, converted to sRGB, shrunk to at most `width` pixels wide
// (never enlarged), held in memory and stripped of all metadata (EXIF with GPS, XMP, IPTC, ICC); NULL on failure.
static inline VipsImage *mayago_vips_decode(const void *buffer, size_t length, int width) {
    VipsImage *thumbnail = NULL;
    if (vips_thumbnail_buffer((void *)buffer, length, &thumbnail, width, "height", VIPS_MAX_COORD, "size", VIPS_SIZE_DOWN,
                              "fail_on", VIPS_FAIL_ON_ERROR, "export_profile", "srgb", NULL))
        return NULL;
    // In memory: the smaller sizes and every encoding read the pixels again, which a sequential decoder cannot do.
    VipsImage *image = vips_image_copy_memory(thumbnail);
    g_object_unref(thumbnail);
    if (!image) return NULL;
    // Savers write EXIF from these fields (webpsave in libvips 8.14 even with "strip"), so none may remain.
    gchar **fields = vips_image_get_fields(image);
    for (int i = 0; fields[i]; i++) vips_image_remove(image, fields[i]);
    g_strfreev(fields);
    return image;
}

// `image` shrunk to at most `width` pixels wide (never enlarged).
static inline VipsImage *mayago_vips_thumbnail_image(VipsImage *image, int width) {
    VipsImage *out = NULL;
    if (vips_thumbnail_image(image, &out, width, "height", VIPS_MAX_COORD, "size", VIPS_SIZE_DOWN, NULL)) return NULL;
    return out;
}

// Encodes `image` without any metadata (EXIF, GPS, XMP, ICC); `format` is 0 for JPEG, 1 for WebP.
static inline int mayago_vips_save(VipsImage *image, int format, int quality, void **buffer, size_t *length) {
    if (format == 1) return vips_webpsave_buffer(image, buffer, length, "Q", quality, "strip", TRUE, NULL);
    return vips_jpegsave_buffer(image, buffer, length, "Q", quality, "strip", TRUE, "interlace", TRUE, NULL);
}

static inline int mayago_vips_width(VipsImage *image) { return vips_image_get_width(image); }
static inline int mayago_vips_height(VipsImage *image) { return vips_image_get_height(image); }
static inline void mayago_vips_release(VipsImage *image) { g_object_unref(image); }
static inline void mayago_vips_free(void *buffer) { g_free(buffer); }

// The thread's last errors, then forgotten.
static inline char *mayago_vips_take_error(void) {
    char *message = g_strdup(vips_error_buffer());
    vips_error_clear();
    return message;
}
