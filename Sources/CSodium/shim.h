#ifndef GRIDKEEPER_CSODIUM_SHIM_H
#define GRIDKEEPER_CSODIUM_SHIM_H
#include <sodium.h>
#endif
