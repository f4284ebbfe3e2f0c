// Private to src/zephyr.
#ifndef CAIRN_ZEPHYR_PRIV_H
#define CAIRN_ZEPHYR_PRIV_H

// A Zephyr result (0 or a negative errno of the platform's <errno.h>) as a
// CAIRN_E* value; positive or unknown codes become -EIO.
int cairn_zephyr_err(int zephyr_rc);

#endif
