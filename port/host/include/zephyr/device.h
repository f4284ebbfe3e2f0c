/*
 * Host stand-in for <zephyr/device.h>: just enough of struct device for the
 * flash API (port/host implements the devices from the board description).
 */
#ifndef CAIRN_HOST_ZEPHYR_DEVICE_H
#define CAIRN_HOST_ZEPHYR_DEVICE_H

#include <stdbool.h>
#include <stddef.h>

#include <zephyr/autoconf.h>

#ifdef __cplusplus
extern "C" {
#endif

struct device {
    const char *name;
    const void *config;
    const void *api;
    void *data; /* the host board's device record */
};

/* True when the device exists and is enabled on the current host board. */
bool device_is_ready(const struct device *dev);

#ifdef __cplusplus
}
#endif

#endif
