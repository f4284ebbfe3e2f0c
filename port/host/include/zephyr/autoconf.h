/*
 * Host build "Kconfig": the options a Zephyr application would enable for
 * cairn's src/zephyr (a real build gets them from the generated autoconf.h).
 */
#ifndef CAIRN_HOST_ZEPHYR_AUTOCONF_H
#define CAIRN_HOST_ZEPHYR_AUTOCONF_H

#ifndef CONFIG_DISK_ACCESS
#define CONFIG_DISK_ACCESS 1
#endif
#ifndef CONFIG_FLASH_MAP
#define CONFIG_FLASH_MAP 1
#endif
#ifndef CONFIG_FLASH_MAP_LABELS
#define CONFIG_FLASH_MAP_LABELS 1
#endif
#ifndef CONFIG_FLASH_PAGE_LAYOUT
#define CONFIG_FLASH_PAGE_LAYOUT 1
#endif

#endif
