// zlib, for Meld's parallel PNG writer (row filtering and deflate in independent strips).
#include <zlib.h>
