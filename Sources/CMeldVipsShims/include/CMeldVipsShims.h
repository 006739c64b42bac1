// Non-variadic wrappers around the libvips calls Meld uses.
//
// libvips' operation entry points are variadic (optional arguments as
// name/value pairs ending in NULL) and its GObject helpers are macros; Swift can
// call neither. Each wrapper below fixes the optional arguments Meld passes, so
// clang type-checks them here instead of GLib reporting a wrong type at run
// time. Every wrapper returns 0 on success and -1 on failure with libvips'
// error buffer set, exactly like the call it wraps.
#ifndef CMELD_VIPS_SHIMS_H
#define CMELD_VIPS_SHIMS_H

#include <vips/vips.h>

// ---- start-up, errors, references --------------------------------------

/// vips_init plus Meld's process-wide policy (untrusted loaders blocked).
/// With `only_needed_modules`, libvips' optional modules other than HEIF (ImageMagick, PDF,
/// OpenSlide, JPEG XL, all of which Meld refuses anyway) are not loaded, and HEIF's is opened
/// only when a HEIF file may be involved (an unrecognised file, a HEIF save): see shims.c.
int cmeld_init(const char *argv0, int only_needed_modules);
/// Copies libvips' error buffer and clears it (the buffer is process-wide).
/// Returns a malloc'd string the caller frees with cmeld_free, or NULL if empty.
char *cmeld_error_take(void);
/// Drops libvips' error buffer without reading it.
void cmeld_error_clear(void);
/// free() for strings and buffers handed out by these wrappers.
void cmeld_free(void *p);
/// g_object_ref / g_object_unref are fine to call, but G_OBJECT() is a macro.
void cmeld_image_ref(VipsImage *image);
void cmeld_image_unref(VipsImage *image);
void cmeld_object_unref(void *object);

// ---- metadata -----------------------------------------------------------

/// Copies the image's ICC profile (if any). Returns its length, 0 if none;
/// *data is malloc'd and owned by the caller.
size_t cmeld_icc_profile_copy(VipsImage *image, void **data);
/// A string metadata field ("heif-compression", ...) or NULL when absent. Owned by the image.
const char *cmeld_image_get_string(VipsImage *image, const char *name);
/// Number of pages (frames) the file holds, 1 if not recorded.
int cmeld_image_n_pages(VipsImage *image);
/// vips_copy with a new interpretation (vips_copy is variadic).
int cmeld_copy_with_interpretation(VipsImage *in, VipsImage **out, VipsInterpretation interpretation);
/// A copy of the image whose ICC profile is replaced by `data` (NULL removes it).
int cmeld_copy_with_icc_profile(VipsImage *in, VipsImage **out, const void *data, size_t length);
/// A copy of the image with every metadata item except the ICC profile removed
/// (EXIF, XMP, IPTC, comments). Orientation is dropped with EXIF.
int cmeld_copy_without_metadata(VipsImage *in, VipsImage **out);

// ---- loading -------------------------------------------------------------

/// The loader libvips would pick for a file or a memory buffer (sniffs bytes), or NULL.
const char *cmeld_find_load_file(const char *path);
const char *cmeld_find_load_buffer(const void *data, size_t length);
/// vips_image_new_from_file with access and fail_on set. Reads the header only;
/// pixels are decoded when evaluated.
int cmeld_load_file(const char *path, int sequential, VipsFailOn fail_on, VipsImage **out);
/// vips_image_new_from_buffer on a private copy of `data` that the image owns
/// and frees when it closes (the caller's bytes may go away at once).
int cmeld_load_buffer(const void *data, size_t length, int sequential, VipsFailOn fail_on, VipsImage **out);
/// vips_thumbnail (shrink-on-load, premultiplied resampling, colour managed).
/// export_profile NULL keeps the source space; "srgb" converts to sRGB.
int cmeld_thumbnail_file(const char *path, int width, int height, VipsSize size,
                         int no_rotate, int linear, const char *export_profile,
                         VipsFailOn fail_on, VipsImage **out);
/// The same from memory (copied and owned as in cmeld_load_buffer).
int cmeld_thumbnail_buffer(const void *data, size_t length, int width, int height, VipsSize size,
                           int no_rotate, int linear, const char *export_profile,
                           VipsFailOn fail_on, VipsImage **out);

// ---- pixel operations ------------------------------------------------------

int cmeld_autorot(VipsImage *in, VipsImage **out);
/// vips_icc_transform to `profile` ("srgb", "p3", "cmyk" or a path) using the
/// embedded profile when present, at `depth` bits (8 or 16).
int cmeld_icc_transform(VipsImage *in, VipsImage **out, const char *profile, int depth, VipsIntent intent);
int cmeld_colourspace(VipsImage *in, VipsImage **out, VipsInterpretation space);
int cmeld_cast(VipsImage *in, VipsImage **out, VipsBandFormat format);
int cmeld_premultiply(VipsImage *in, VipsImage **out);
int cmeld_unpremultiply(VipsImage *in, VipsImage **out);
int cmeld_resize(VipsImage *in, VipsImage **out, double hscale, double vscale, VipsKernel kernel);
int cmeld_crop(VipsImage *in, VipsImage **out, int left, int top, int width, int height);
/* vips_insert: `sub` placed at (x, y) over `main` (variadic in libvips). */
int cmeld_insert(VipsImage *main, VipsImage *sub, VipsImage **out, int x, int y);
int cmeld_embed(VipsImage *in, VipsImage **out, int x, int y, int width, int height,
                VipsExtend extend, const double *background, int n_background);
int cmeld_rot(VipsImage *in, VipsImage **out, VipsAngle angle);
/// Rotation by any angle about the centre with bicubic interpolation; the
/// output grows to hold the whole rotated image, new area filled with `background`.
int cmeld_rotate(VipsImage *in, VipsImage **out, double angle, const double *background, int n_background);
int cmeld_flip(VipsImage *in, VipsImage **out, VipsDirection direction);
int cmeld_extract_band(VipsImage *in, VipsImage **out, int band, int n);
int cmeld_bandjoin_const1(VipsImage *in, VipsImage **out, double value);
int cmeld_flatten(VipsImage *in, VipsImage **out, const double *background, int n_background);

// ---- pixels between libvips and Meld ----------------------------------------

/// Copies `from`'s metadata (EXIF, XMP, IPTC, resolution, orientation, comments; not the ICC
/// profile, the basic header or multi-page fields) onto `to`, which must not be shared yet.
/// Why a shim: vips_image_map takes a C callback, which Swift cannot pass with context cleanly.
void cmeld_copy_metadata(VipsImage *from, VipsImage *to);
/// Evaluates `in` (threaded) and copies its pixels, interleaved and row-major
/// with no padding, into `buffer` of `length` bytes owned by the caller.
int cmeld_write_to_buffer(VipsImage *in, void *buffer, size_t length);
/// Receives rows `top ..< top + height` of the image, full width, `stride` bytes apart.
/// Returns 0, or -1 after setting a libvips error to stop the evaluation.
typedef int (*cmeld_rows_fn)(void *user, const unsigned char *pixels, size_t stride, int top, int height);
/// Evaluates `in` with libvips' threads and hands its rows to `rows` in order, top to bottom,
/// from one thread (vips_sink_disc takes a C callback and its region addresses are macros).
/// Works on sequential-access images. Returns 0, or -1 with libvips' error buffer set.
int cmeld_sink_rows(VipsImage *in, cmeld_rows_fn rows, void *user);
/// 1 when the image's pipeline reads a source opened for one sequential pass (libvips
/// carries that mark from the loader through every operation on it).
int cmeld_image_is_sequential(VipsImage *image);
/// vips_thread_shutdown: frees libvips' per-thread buffers; call before a thread Meld
/// started, which used libvips, ends.
void cmeld_thread_shutdown(void);
/// A vips image over `data` (interleaved, row-major) that takes ownership of it:
/// the memory is released with free() when the image closes, so libvips'
/// operation cache can never outlive it (see LIBVIPS-FROM-SWIFT.md).
VipsImage *cmeld_image_from_owned_memory(void *data, size_t length, int width, int height,
                                         int bands, VipsBandFormat format, VipsInterpretation interpretation);

// ---- saving ------------------------------------------------------------------

/// `restart_interval`: a restart marker every that many MCUs (0: none).
int cmeld_jpegsave(VipsImage *in, VipsTarget *target, int quality, int progressive,
                   VipsForeignSubsample subsample, int strip, int optimize_coding, int restart_interval);
int cmeld_pngsave(VipsImage *in, VipsTarget *target, int compression, int bitdepth,
                  int interlace, int strip);
int cmeld_webpsave(VipsImage *in, VipsTarget *target, int quality, int lossless, int effort, int strip);
int cmeld_tiffsave(VipsImage *in, VipsTarget *target, VipsForeignTiffCompression compression,
                   int quality, int strip);
int cmeld_heifsave(VipsImage *in, VipsTarget *target, int quality, int lossless,
                   VipsForeignHeifCompression compression, int effort, int bitdepth, int strip);
int cmeld_gifsave(VipsImage *in, VipsTarget *target, int strip);
int cmeld_jxlsave(VipsImage *in, VipsTarget *target, int quality, int lossless, int effort, int strip);
/// Bytes written to a memory target, copied into a malloc'd buffer the caller frees.
void *cmeld_target_copy_bytes(VipsTarget *target, size_t *length);

// ---- capabilities --------------------------------------------------------------

/// 1 when libvips has an operation (loader or saver) of this nickname and it is not blocked.
int cmeld_has_operation(const char *nickname);
/// 1 when a tiny image saves through `saver` ("heifsave" with AV1, ...) right now.
int cmeld_can_encode_heif(VipsForeignHeifCompression compression);

// ---- tuning --------------------------------------------------------------------
void cmeld_set_concurrency(int threads);
int cmeld_get_concurrency(void);
void cmeld_cache_set_max(int operations);
/// glibc: blocks of at least `bytes` are mmapped and returned to the system when freed (fixes
/// the threshold, turning off glibc's growing one). 1 on success, 0 elsewhere.
int cmeld_set_mmap_threshold(long bytes);

// ---- composing: generated images, regions, text, arithmetic ------------------

/// Called once per libvips worker thread to make its per-thread state ("sequence").
typedef void *(*cmeld_start_fn)(void *user);
/// Fills `width × height` pixels at (left, top) of the output, interleaved, rows `stride`
/// bytes apart. Returns 0, or -1 after setting a libvips error.
typedef int (*cmeld_generate_fn)(void *sequence, void *user, int left, int top, int width, int height,
                                 void *pixels, size_t stride);
/// Releases one thread's state.
typedef void (*cmeld_stop_fn)(void *sequence, void *user);
/// Releases `user` when the image closes.
typedef void (*cmeld_release_fn)(void *user);

/// A lazy image whose pixels a Swift function computes on demand, region by region, on
/// libvips' worker threads (vips_image_generate is callback-based and its region
/// addresses are macros). `inputs` (n of them, may be 0) are the images the generator
/// reads; they set the demand style and sequential-access hints. `user` is released
/// with `release` when the image closes, whatever happens.
VipsImage *cmeld_generated_image(VipsImage **inputs, int n_inputs, int width, int height, int bands,
                                 VipsBandFormat format, VipsInterpretation interpretation,
                                 cmeld_start_fn start, cmeld_generate_fn generate, cmeld_stop_fn stop,
                                 cmeld_release_fn release, void *user);
/// A region on `image` for one thread's reads (g_object_unref via cmeld_object_unref).
VipsRegion *cmeld_region_new(VipsImage *image);
/// Computes the area of `region`'s image and returns its address and row stride
/// (VIPS_REGION_ADDR and VIPS_REGION_LSKIP are macros). 0 on success.
int cmeld_region_fetch(VipsRegion *region, int left, int top, int width, int height,
                       const unsigned char **pixels, size_t *stride);

/// vips_text: a one-band 8-bit coverage image of Pango markup `text`. `font` is a Pango
/// font description ("Noto Sans CJK SC Bold 40"), `width` the wrap width (0: no wrap),
/// `align` low/centre/high, `spacing` the line spacing in points (0: the font's).
int cmeld_text(VipsImage **out, const char *text, const char *font, int width, VipsAlign align,
               int justify, int dpi, int spacing, const char *fontfile, int wrap_none);
/// Gaussian blur with float precision (`sigma` in pixels).
int cmeld_gaussblur(VipsImage *in, VipsImage **out, double sigma);
/// Pixel-wise a + b.
int cmeld_add(VipsImage *a, VipsImage *b, VipsImage **out);
/// Pixel-wise a × b.
int cmeld_multiply(VipsImage *a, VipsImage *b, VipsImage **out);
/// Every band × `scale` + `offset`, as float.
int cmeld_linear1(VipsImage *in, VipsImage **out, double scale, double offset);
/// Bands of `a` then bands of `b`.
int cmeld_bandjoin2(VipsImage *a, VipsImage *b, VipsImage **out);
/// A constant image of `n` bands (float).
int cmeld_constant(VipsImage **out, int width, int height, const double *values, int n);

#endif
