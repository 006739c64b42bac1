// Non-variadic wrappers around libvips. See include/CMeldVipsShims.h for why
// each exists; the short reason for almost all of them is that the wrapped
// libvips call is variadic, or a macro, and so cannot be called from Swift.
// dladdr is a GNU extension in glibc.
#define _GNU_SOURCE
#include "CMeldVipsShims.h"

#include <dlfcn.h>
#include <stdlib.h>
#if defined(__GLIBC__)
#include <malloc.h>
#endif
#include <string.h>

// ---- start-up, errors, references --------------------------------------

// vips_init is callable, but Meld also blocks "untrusted" loaders (ImageMagick,
// PDF, ...) process-wide, which must happen right after init and only once.
// libvips' warnings (e.g. "unknown EXIF resolution unit") go to stderr through GLib;
// Meld reports problems as errors instead, so they are dropped unless MELD_VIPS_WARNINGS is set.
static void drop_log(const gchar *domain, GLogLevelFlags level, const gchar *message, gpointer data) {
    (void)domain; (void)level; (void)message; (void)data;
}

// vips_init loads every module in its module folder (HEIF, JPEG XL, ImageMagick, PDF,
// OpenSlide on Debian), which took ~30 ms of a 75 ms `vipsheader` here; Meld reads only HEIF
// of those. libvips finds the folder from VIPSHOME when that is set, so pointing VIPSHOME at a
// folder that does not exist for the length of vips_init loads none, and the HEIF module is
// then opened by hand from the folder next to libvips itself. Any surprise (no module folder,
// VIPSHOME already set, MELD_VIPS_ALL_MODULES set, not Linux) falls back to the normal start.
static char *heif_module_path(void) {
#ifdef __linux__
    if (g_getenv("VIPSHOME") || g_getenv("MELD_VIPS_ALL_MODULES")) return NULL;
    Dl_info info;
    if (!dladdr((void *)vips_init, &info) || !info.dli_fname) return NULL;
    char *libdir = g_path_get_dirname(info.dli_fname);
    char *path = g_strdup_printf("%s/vips-modules-%d.%d/vips-heif.so", libdir, VIPS_MAJOR_VERSION, VIPS_MINOR_VERSION);
    g_free(libdir);
    if (g_file_test(path, G_FILE_TEST_IS_REGULAR)) return path;
    g_free(path);
#endif
    return NULL;
}

// The HEIF module (libheif and its codecs: x265, libde265, dav1d, aom) took ~8 ms more to open,
// so it is opened only when a HEIF file may be involved: when no loaded loader recognises a
// file (the lookup is then retried), and before a HEIF save or a question about HEIF encoders.
// Set once by cmeld_init; NULL when every module was loaded normally.
static char *deferred_heif = NULL;
static gsize heif_opened = 0;

// Opens the deferred HEIF module once (any thread; the others wait for it). Returns whether a
// module was deferred, i.e. whether a lookup that failed before this call is worth retrying.
static int open_deferred_heif(void) {
    if (!deferred_heif) return 0;
    if (g_once_init_enter(&heif_opened)) {
        // The module registers its loaders and savers in g_module_check_init and makes itself resident.
        if (!g_module_open(deferred_heif, G_MODULE_BIND_LAZY | G_MODULE_BIND_LOCAL))
            g_warning("meld: could not load %s: %s", deferred_heif, g_module_error());
        g_once_init_leave(&heif_opened, 1);
    }
    return 1;
}

int cmeld_init(const char *argv0, int only_needed_modules) {
    char *heif = only_needed_modules ? heif_module_path() : NULL;
    if (heif) g_setenv("VIPSHOME", "/nonexistent/meld-loads-libvips-modules-itself", TRUE);
    int status = vips_init(argv0 ? argv0 : "meld");
    if (heif) {
        g_unsetenv("VIPSHOME");
        if (status == 0) deferred_heif = heif; else g_free(heif);
    }
    if (status != 0) return -1;
    vips_block_untrusted_set(TRUE);
    if (!g_getenv("MELD_VIPS_WARNINGS"))
        g_log_set_handler("VIPS", G_LOG_LEVEL_WARNING | G_LOG_LEVEL_MESSAGE, drop_log, NULL);
    return 0;
}

// The error buffer is global: copy and clear it in one step so the next
// failing call does not read a stale message.
char *cmeld_error_take(void) {
    const char *buffer = vips_error_buffer();
    char *copy = NULL;
    if (buffer && buffer[0]) copy = strdup(buffer);
    vips_error_clear();
    return copy;
}

void cmeld_error_clear(void) { vips_error_clear(); }
void cmeld_free(void *p) { free(p); }
// G_OBJECT() is a macro.
void cmeld_image_ref(VipsImage *image) { g_object_ref(G_OBJECT(image)); }
void cmeld_image_unref(VipsImage *image) { g_object_unref(G_OBJECT(image)); }
void cmeld_object_unref(void *object) { if (object) g_object_unref(G_OBJECT(object)); }

// ---- metadata -----------------------------------------------------------

// vips_image_get_blob returns memory the image owns; Meld wants its own copy.
size_t cmeld_icc_profile_copy(VipsImage *image, void **data) {
    *data = NULL;
    if (!vips_image_get_typeof(image, VIPS_META_ICC_NAME)) return 0;
    const void *blob = NULL;
    size_t length = 0;
    if (vips_image_get_blob(image, VIPS_META_ICC_NAME, &blob, &length) != 0 || length == 0) {
        vips_error_clear();
        return 0;
    }
    void *copy = malloc(length);
    if (!copy) return 0;
    memcpy(copy, blob, length);
    *data = copy;
    return length;
}

// vips_image_get_string fails (setting the error buffer) when the field is absent.
const char *cmeld_image_get_string(VipsImage *image, const char *name) {
    const char *value = NULL;
    if (!vips_image_get_typeof(image, name)) return NULL;
    if (vips_image_get_string(image, name, &value) != 0) {
        vips_error_clear();
        return NULL;
    }
    return value;
}

int cmeld_image_n_pages(VipsImage *image) { return vips_image_get_n_pages(image); }

// vips_copy is variadic.
int cmeld_copy_with_interpretation(VipsImage *in, VipsImage **out, VipsInterpretation interpretation) {
    return vips_copy(in, out, "interpretation", interpretation, NULL);
}

// Metadata must be changed on a private copy: images may be shared through the cache.
int cmeld_copy_with_icc_profile(VipsImage *in, VipsImage **out, const void *data, size_t length) {
    if (vips_copy(in, out, NULL) != 0) return -1;
    if (data && length > 0)
        vips_image_set_blob_copy(*out, VIPS_META_ICC_NAME, data, length);
    else
        vips_image_remove(*out, VIPS_META_ICC_NAME);
    return 0;
}

// vips_image_get_fields returns a NULL-terminated, g_malloc'd array we must free.
int cmeld_copy_without_metadata(VipsImage *in, VipsImage **out) {
    if (vips_copy(in, out, NULL) != 0) return -1;
    gchar **fields = vips_image_get_fields(*out);
    for (int i = 0; fields && fields[i]; i++) {
        const char *f = fields[i];
        if (strcmp(f, VIPS_META_ICC_NAME) == 0) continue;
        if (strncmp(f, "exif-", 5) == 0 || strcmp(f, VIPS_META_XMP_NAME) == 0 ||
            strcmp(f, VIPS_META_IPTC_NAME) == 0 || strcmp(f, VIPS_META_PHOTOSHOP_NAME) == 0 ||
            strcmp(f, VIPS_META_ORIENTATION) == 0 || strcmp(f, "jpeg-comment") == 0 ||
            strncmp(f, "png-comment", 11) == 0 || strcmp(f, "gif-comment") == 0)
            vips_image_remove(*out, f);
    }
    g_strfreev(fields);
    return 0;
}

// ---- loading -------------------------------------------------------------

// Neither call is variadic, but both set the error buffer when nothing matches;
// Meld reports "unsupported format" itself, so the message is dropped here.
// A file no loaded loader recognises may be HEIF: the deferred module is opened and the
// lookup tried again.
const char *cmeld_find_load_file(const char *path) {
    const char *name = vips_foreign_find_load(path);
    if (!name && open_deferred_heif()) {
        vips_error_clear();
        name = vips_foreign_find_load(path);
    }
    if (!name) vips_error_clear();
    return name;
}

const char *cmeld_find_load_buffer(const void *data, size_t length) {
    const char *name = vips_foreign_find_load_buffer(data, length);
    if (!name && open_deferred_heif()) {
        vips_error_clear();
        name = vips_foreign_find_load_buffer(data, length);
    }
    if (!name) vips_error_clear();
    return name;
}

static VipsAccess access_of(int sequential) {
    return sequential ? VIPS_ACCESS_SEQUENTIAL : VIPS_ACCESS_RANDOM;
}

int cmeld_load_file(const char *path, int sequential, VipsFailOn fail_on, VipsImage **out) {
    *out = vips_image_new_from_file(path, "access", access_of(sequential), "fail_on", fail_on, NULL);
    return *out ? 0 : -1;
}

// The bytes go into a VipsBlob the source (and so the image, and any cached
// operation that refers to it) holds a reference to: nothing can outlive them.
static VipsSource *source_from_copy(const void *data, size_t length) {
    VipsBlob *blob = vips_blob_copy(data, length);
    if (!blob) return NULL;
    VipsSource *source = vips_source_new_from_blob(blob);
    vips_area_unref(VIPS_AREA(blob));
    return source;
}

int cmeld_load_buffer(const void *data, size_t length, int sequential, VipsFailOn fail_on, VipsImage **out) {
    VipsSource *source = source_from_copy(data, length);
    if (!source) return -1;
    *out = vips_image_new_from_source(source, "", "access", access_of(sequential), "fail_on", fail_on, NULL);
    g_object_unref(source);
    return *out ? 0 : -1;
}

int cmeld_thumbnail_file(const char *path, int width, int height, VipsSize size,
                         int no_rotate, int linear, const char *export_profile,
                         VipsFailOn fail_on, VipsImage **out) {
    // fail_on matters: thumbnail's own loader defaults to "none", which decodes a truncated
    // or damaged file to a grey-filled image without any error.
    if (export_profile)
        return vips_thumbnail(path, out, width, "height", height, "size", size,
                              "no_rotate", no_rotate, "linear", linear,
                              "export_profile", export_profile, "fail_on", fail_on, NULL);
    return vips_thumbnail(path, out, width, "height", height, "size", size,
                          "no_rotate", no_rotate, "linear", linear, "fail_on", fail_on, NULL);
}

int cmeld_thumbnail_buffer(const void *data, size_t length, int width, int height, VipsSize size,
                           int no_rotate, int linear, const char *export_profile,
                           VipsFailOn fail_on, VipsImage **out) {
    VipsSource *source = source_from_copy(data, length);
    if (!source) return -1;
    int result;
    if (export_profile)
        result = vips_thumbnail_source(source, out, width, "height", height, "size", size,
                                       "no_rotate", no_rotate, "linear", linear,
                                       "export_profile", export_profile, "fail_on", fail_on, NULL);
    else
        result = vips_thumbnail_source(source, out, width, "height", height, "size", size,
                                       "no_rotate", no_rotate, "linear", linear, "fail_on", fail_on, NULL);
    g_object_unref(source);
    return result;
}

// ---- pixel operations (all variadic in libvips) -----------------------------

int cmeld_autorot(VipsImage *in, VipsImage **out) { return vips_autorot(in, out, NULL); }

int cmeld_icc_transform(VipsImage *in, VipsImage **out, const char *profile, int depth, VipsIntent intent) {
    return vips_icc_transform(in, out, profile, "embedded", TRUE, "depth", depth, "intent", intent, NULL);
}

int cmeld_colourspace(VipsImage *in, VipsImage **out, VipsInterpretation space) {
    return vips_colourspace(in, out, space, NULL);
}

int cmeld_cast(VipsImage *in, VipsImage **out, VipsBandFormat format) { return vips_cast(in, out, format, NULL); }
int cmeld_premultiply(VipsImage *in, VipsImage **out) { return vips_premultiply(in, out, NULL); }
int cmeld_unpremultiply(VipsImage *in, VipsImage **out) { return vips_unpremultiply(in, out, NULL); }

int cmeld_resize(VipsImage *in, VipsImage **out, double hscale, double vscale, VipsKernel kernel) {
    return vips_resize(in, out, hscale, "vscale", vscale, "kernel", kernel, NULL);
}

int cmeld_crop(VipsImage *in, VipsImage **out, int left, int top, int width, int height) {
    return vips_crop(in, out, left, top, width, height, NULL);
}

int cmeld_embed(VipsImage *in, VipsImage **out, int x, int y, int width, int height,
                VipsExtend extend, const double *background, int n_background) {
    if (background && n_background > 0) {
        VipsArrayDouble *bg = vips_array_double_new(background, n_background);
        int r = vips_embed(in, out, x, y, width, height, "extend", extend, "background", bg, NULL);
        vips_area_unref(VIPS_AREA(bg));
        return r;
    }
    return vips_embed(in, out, x, y, width, height, "extend", extend, NULL);
}

int cmeld_rot(VipsImage *in, VipsImage **out, VipsAngle angle) { return vips_rot(in, out, angle, NULL); }

int cmeld_rotate(VipsImage *in, VipsImage **out, double angle, const double *background, int n_background) {
    VipsInterpolate *bicubic = vips_interpolate_new("bicubic");
    if (!bicubic) return -1;
    int r;
    if (background && n_background > 0) {
        VipsArrayDouble *bg = vips_array_double_new(background, n_background);
        r = vips_rotate(in, out, angle, "interpolate", bicubic, "background", bg, NULL);
        vips_area_unref(VIPS_AREA(bg));
    } else {
        r = vips_rotate(in, out, angle, "interpolate", bicubic, NULL);
    }
    g_object_unref(bicubic);
    return r;
}

int cmeld_flip(VipsImage *in, VipsImage **out, VipsDirection direction) { return vips_flip(in, out, direction, NULL); }
int cmeld_extract_band(VipsImage *in, VipsImage **out, int band, int n) {
    return vips_extract_band(in, out, band, "n", n, NULL);
}
int cmeld_bandjoin_const1(VipsImage *in, VipsImage **out, double value) {
    return vips_bandjoin_const1(in, out, value, NULL);
}
int cmeld_flatten(VipsImage *in, VipsImage **out, const double *background, int n_background) {
    VipsArrayDouble *bg = vips_array_double_new(background, n_background);
    int r = vips_flatten(in, out, "background", bg, NULL);
    vips_area_unref(VIPS_AREA(bg));
    return r;
}

// ---- pixels between libvips and Meld ----------------------------------------

typedef struct {
    unsigned char *buffer;
    size_t row_bytes;
} CopyTarget;

// Called by vips_sink_disc for each finished strip, in order, from one thread.
// VIPS_REGION_ADDR is a macro.
static int copy_region(VipsRegion *region, VipsRect *area, void *a) {
    CopyTarget *target = (CopyTarget *)a;
    size_t bytes = (size_t)area->width * VIPS_IMAGE_SIZEOF_PEL(region->im);
    for (int y = 0; y < area->height; y++) {
        const VipsPel *src = VIPS_REGION_ADDR(region, area->left, area->top + y);
        memcpy(target->buffer + (size_t)(area->top + y) * target->row_bytes
                   + (size_t)area->left * VIPS_IMAGE_SIZEOF_PEL(region->im),
               src, bytes);
    }
    return 0;
}

// vips_image_write_to_memory allocates a fresh buffer per call (and page-faults
// it in); this fills a buffer Meld reuses, with libvips' own threading.
int cmeld_write_to_buffer(VipsImage *in, void *buffer, size_t length) {
    size_t row_bytes = (size_t)VIPS_IMAGE_SIZEOF_LINE(in);
    if (row_bytes * (size_t)in->Ysize > length) {
        vips_error("meld", "buffer of %zu bytes is too small for %dx%d", length, in->Xsize, in->Ysize);
        return -1;
    }
    CopyTarget target = { (unsigned char *)buffer, row_bytes };
    return vips_sink_disc(in, copy_region, &target);
}

typedef struct {
    cmeld_rows_fn rows;
    void *user;
} RowsTarget;

// vips_sink_disc hands over finished strips in order, from one thread; each is a full-width
// band of rows (its area), passed on with its address and row stride.
static int forward_rows(VipsRegion *region, VipsRect *area, void *a) {
    RowsTarget *target = (RowsTarget *)a;
    const VipsPel *pixels = VIPS_REGION_ADDR(region, area->left, area->top);
    return target->rows(target->user, pixels, (size_t)VIPS_REGION_LSKIP(region), area->top, area->height);
}

int cmeld_sink_rows(VipsImage *in, cmeld_rows_fn rows, void *user) {
    RowsTarget target = { rows, user };
    return vips_sink_disc(in, forward_rows, &target);
}

int cmeld_image_is_sequential(VipsImage *image) {
    return vips_image_get_typeof(image, VIPS_META_SEQUENTIAL) != 0;
}

void cmeld_thread_shutdown(void) {
    vips_thread_shutdown();
}

static void free_on_postclose(VipsImage *image, void *data) {
    (void)image;
    free(data);
}

// g_signal_connect is a macro.
VipsImage *cmeld_image_from_owned_memory(void *data, size_t length, int width, int height,
                                         int bands, VipsBandFormat format, VipsInterpretation interpretation) {
    VipsImage *image = vips_image_new_from_memory(data, length, width, height, bands, format);
    if (!image) return NULL;
    image->Type = interpretation;
    g_signal_connect(image, "postclose", G_CALLBACK(free_on_postclose), data);
    return image;
}

// ---- saving (variadic in libvips) ---------------------------------------------

int cmeld_jpegsave(VipsImage *in, VipsTarget *target, int quality, int progressive,
                   VipsForeignSubsample subsample, int strip, int optimize_coding, int restart_interval) {
    return vips_jpegsave_target(in, target, "Q", quality, "interlace", progressive,
                                "subsample_mode", subsample, "strip", strip,
                                "optimize_coding", optimize_coding, "restart_interval", restart_interval, NULL);
}

int cmeld_pngsave(VipsImage *in, VipsTarget *target, int compression, int bitdepth,
                  int interlace, int strip) {
    return vips_pngsave_target(in, target, "compression", compression, "bitdepth", bitdepth,
                               "interlace", interlace, "strip", strip, NULL);
}

int cmeld_webpsave(VipsImage *in, VipsTarget *target, int quality, int lossless, int effort, int strip) {
    return vips_webpsave_target(in, target, "Q", quality, "lossless", lossless, "effort", effort,
                                "strip", strip, NULL);
}

int cmeld_tiffsave(VipsImage *in, VipsTarget *target, VipsForeignTiffCompression compression,
                   int quality, int strip) {
    return vips_tiffsave_target(in, target, "compression", compression, "Q", quality,
                                "strip", strip, NULL);
}

int cmeld_heifsave(VipsImage *in, VipsTarget *target, int quality, int lossless,
                   VipsForeignHeifCompression compression, int effort, int bitdepth, int strip) {
    open_deferred_heif();
    return vips_heifsave_target(in, target, "Q", quality, "lossless", lossless,
                                "compression", compression, "effort", effort,
                                "bitdepth", bitdepth, "strip", strip, NULL);
}

int cmeld_gifsave(VipsImage *in, VipsTarget *target, int strip) {
    return vips_gifsave_target(in, target, "strip", strip, NULL);
}

int cmeld_jxlsave(VipsImage *in, VipsTarget *target, int quality, int lossless, int effort, int strip) {
    return vips_jxlsave_target(in, target, "Q", quality, "lossless", lossless, "effort", effort,
                               "strip", strip, NULL);
}

// The memory target's bytes are only reachable through its "blob" property.
void *cmeld_target_copy_bytes(VipsTarget *target, size_t *length) {
    *length = 0;
    VipsBlob *blob = NULL;
    g_object_get(target, "blob", &blob, NULL);
    if (!blob) return NULL;
    size_t n = 0;
    const void *bytes = vips_blob_get(blob, &n);
    void *copy = malloc(n > 0 ? n : 1);
    if (copy && n > 0) memcpy(copy, bytes, n);
    vips_area_unref(VIPS_AREA(blob));
    *length = n;
    return copy;
}

// ---- capabilities --------------------------------------------------------------

// An operation blocked by cmeld_init's vips_block_untrusted_set (libvips 8.14 flags jxlload
// and jxlsave as untrusted) still has a type, but every call fails with "operation is blocked".
int cmeld_has_operation(const char *nickname) {
    if (strstr(nickname, "heif")) open_deferred_heif();
    GType type = vips_type_find("VipsOperation", nickname);
    if (!type) return 0;
    VipsOperationClass *klass = VIPS_OPERATION_CLASS(g_type_class_ref(type));
    int blocked = (klass->flags & VIPS_OPERATION_BLOCKED) != 0;
    g_type_class_unref(klass);
    return !blocked;
}

// Whether libheif has an encoder for this compression is only known by trying.
int cmeld_can_encode_heif(VipsForeignHeifCompression compression) {
    if (!cmeld_has_operation("heifsave_target")) return 0;
    VipsImage *black = NULL, *rgb = NULL;
    int ok = 0;
    if (vips_black(&black, 16, 16, "bands", 3, NULL) == 0 &&
        vips_cast(black, &rgb, VIPS_FORMAT_UCHAR, NULL) == 0) {
        VipsTarget *target = vips_target_new_to_memory();
        ok = vips_heifsave_target(rgb, target, "compression", compression, "effort", 0, NULL) == 0;
        g_object_unref(target);
    }
    if (rgb) g_object_unref(rgb);
    if (black) g_object_unref(black);
    vips_error_clear();
    return ok;
}

// ---- tuning --------------------------------------------------------------------
void cmeld_set_concurrency(int threads) { vips_concurrency_set(threads); }
int cmeld_get_concurrency(void) { return vips_concurrency_get(); }
void cmeld_cache_set_max(int operations) { vips_cache_set_max(operations); }

// glibc's mallopt is not visible to Swift through the Glibc module (its header needs
// _GNU_SOURCE-style feature macros), so it is wrapped here.
int cmeld_set_mmap_threshold(long bytes) {
#if defined(__GLIBC__)
    return mallopt(M_MMAP_THRESHOLD, (int)bytes);
#else
    (void)bytes;
    return 0;
#endif
}

// ---- composing: generated images, regions, text, arithmetic ------------------

typedef struct {
    cmeld_start_fn start;
    cmeld_generate_fn generate;
    cmeld_stop_fn stop;
    cmeld_release_fn release;
    void *user;
} cmeld_generator;

static void *generator_start(VipsImage *out, void *a, void *b) {
    (void)out; (void)b;
    cmeld_generator *g = a;
    void *seq = g->start(g->user);
    if (!seq) vips_error("meld", "%s", "could not start a compositing thread");
    return seq;
}

static int generator_generate(VipsRegion *out, void *seq, void *a, void *b, gboolean *stop) {
    (void)b; (void)stop;
    cmeld_generator *g = a;
    VipsRect *r = &out->valid;
    return g->generate(seq, g->user, r->left, r->top, r->width, r->height,
                       VIPS_REGION_ADDR(out, r->left, r->top), VIPS_REGION_LSKIP(out));
}

static int generator_stop(void *seq, void *a, void *b) {
    (void)b;
    cmeld_generator *g = a;
    g->stop(seq, g->user);
    return 0;
}

static void generator_release(VipsImage *image, void *data) {
    (void)image;
    cmeld_generator *g = data;
    g->release(g->user);
    g_free(g);
}

VipsImage *cmeld_generated_image(VipsImage **inputs, int n_inputs, int width, int height, int bands,
                                 VipsBandFormat format, VipsInterpretation interpretation,
                                 cmeld_start_fn start, cmeld_generate_fn generate, cmeld_stop_fn stop,
                                 cmeld_release_fn release, void *user) {
    cmeld_generator *g = g_new0(cmeld_generator, 1);
    g->start = start; g->generate = generate; g->stop = stop; g->release = release; g->user = user;
    VipsImage *out = vips_image_new();
    g_signal_connect(out, "postclose", G_CALLBACK(generator_release), g);
    VipsImage **array = g_new0(VipsImage *, n_inputs + 1);
    for (int i = 0; i < n_inputs; i++) array[i] = inputs[i];
    int failed = vips_image_pipeline_array(out, VIPS_DEMAND_STYLE_THINSTRIP, array);
    g_free(array);
    if (failed) { g_object_unref(out); return NULL; }
    vips_image_init_fields(out, width, height, bands, format, VIPS_CODING_NONE, interpretation, 1.0, 1.0);
    if (vips_image_generate(out, generator_start, generator_generate, generator_stop, g, NULL)) {
        g_object_unref(out);
        return NULL;
    }
    return out;
}

VipsRegion *cmeld_region_new(VipsImage *image) { return vips_region_new(image); }

int cmeld_region_fetch(VipsRegion *region, int left, int top, int width, int height,
                       const unsigned char **pixels, size_t *stride) {
    VipsRect r = { left, top, width, height };
    if (vips_region_prepare(region, &r)) return -1;
    *pixels = (const unsigned char *)VIPS_REGION_ADDR(region, left, top);
    *stride = VIPS_REGION_LSKIP(region);
    return 0;
}

int cmeld_text(VipsImage **out, const char *text, const char *font, int width, VipsAlign align,
               int justify, int dpi, int spacing, const char *fontfile, int wrap_none) {
    return vips_text(out, text, "font", font, "width", width, "align", align, "justify", justify,
                     "dpi", dpi, "spacing", spacing, "fontfile", fontfile,
                     "wrap", wrap_none ? VIPS_TEXT_WRAP_NONE : VIPS_TEXT_WRAP_WORD_CHAR, NULL);
}

int cmeld_gaussblur(VipsImage *in, VipsImage **out, double sigma) {
    return vips_gaussblur(in, out, sigma, "precision", VIPS_PRECISION_FLOAT, NULL);
}

int cmeld_add(VipsImage *a, VipsImage *b, VipsImage **out) { return vips_add(a, b, out, NULL); }

int cmeld_multiply(VipsImage *a, VipsImage *b, VipsImage **out) { return vips_multiply(a, b, out, NULL); }

int cmeld_linear1(VipsImage *in, VipsImage **out, double scale, double offset) {
    return vips_linear1(in, out, scale, offset, NULL);
}

int cmeld_bandjoin2(VipsImage *a, VipsImage *b, VipsImage **out) { return vips_bandjoin2(a, b, out, NULL); }

int cmeld_constant(VipsImage **out, int width, int height, const double *values, int n) {
    VipsImage *black;
    if (vips_black(&black, width, height, "bands", n, NULL)) return -1;
    double *zero = g_new0(double, n);
    int r = vips_linear(black, out, zero, (double *)values, n, NULL);
    g_free(zero);
    g_object_unref(black);
    return r;
}

/* vips_insert is variadic; Swift cannot call it. Used by seamless cloning to put a blended
 * region back into the (lazily decoded) destination without converting the whole image. */
int cmeld_insert(VipsImage *main, VipsImage *sub, VipsImage **out, int x, int y) {
    return vips_insert(main, sub, out, x, y, NULL);
}

// ---- metadata carried over to new pixels ----------------------------------------

// Fields that describe the pixels themselves, or that would be wrong for new pixels: the
// basic header, the ICC profile (new pixels are sRGB), multi-page layout, loader bookkeeping.
static int cmeld_field_describes_pixels(const char *name) {
    static const char *skip[] = { "width", "height", "bands", "format", "coding", "interpretation",
        "xoffset", "yoffset", "xres", "yres", "filename", "icc-profile-data", "page-height", "n-pages",
        "delay", "loop", "gif-delay", "gif-loop", "bits-per-sample", "palette-bit-depth", NULL };
    for (int i = 0; skip[i]; i++) if (strcmp(name, skip[i]) == 0) return 1;
    return strncmp(name, "vips-", 5) == 0;
}

static void *cmeld_copy_field(VipsImage *from, const char *name, GValue *value, void *a) {
    (void)from;
    if (!cmeld_field_describes_pixels(name)) vips_image_set((VipsImage *)a, name, value);
    return NULL;
}

void cmeld_copy_metadata(VipsImage *from, VipsImage *to) {
    to->Xres = from->Xres;
    to->Yres = from->Yres;
    vips_image_map(from, cmeld_copy_field, to);
    // An upright source (turned on load, its orientation fields removed) must say so
    // explicitly, or the saver takes the orientation still recorded in the EXIF block.
    if (!vips_image_get_typeof(from, VIPS_META_ORIENTATION)) vips_image_set_int(to, VIPS_META_ORIENTATION, 1);
}
