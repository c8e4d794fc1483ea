/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _ESPTUN_VERSION_H
#define _ESPTUN_VERSION_H

#define ESPTUN_VERSION "0.1.0"

#endif /* _ESPTUN_VERSION_H */
