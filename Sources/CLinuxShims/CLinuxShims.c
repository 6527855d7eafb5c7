// The wrappers are header-only; SwiftPM needs one source file to build the target.
#include "CLinuxShims.h"
