#ifndef CMELDVIPS_SHIM_H
#define CMELDVIPS_SHIM_H
#include <vips/vips.h>
#include <gmodule.h>
#endif
