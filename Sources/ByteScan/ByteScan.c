// The header holds the only function, static inline; SwiftPM needs one source file per C target.
#include "ByteScan.h"
