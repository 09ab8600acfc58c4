/* SPDX-FileCopyrightText: Tessera contributors */
/* SPDX-License-Identifier: Apache-2.0 */

/*
 * The version of the Tessera plugin ABI this header describes.
 *
 * A plugin reports the version it was compiled against from tessera_plugin_abi_version()
 * (TESSERA_PLUGIN_DECLARE_ABI_VERSION() in plugin_abi.h writes that function). The host checks
 * it before it calls anything else in the library:
 *
 *   - the MAJOR must equal the host's major;
 *   - the MINOR must not be newer than the host's minor (an older minor loads: every struct is
 *     append-only and the host zero-fills what an older plugin does not know);
 *   - the PATCH is ignored (patch releases only fix documentation or the C++ layer).
 *
 * plugin-api/ABI.md has the full rules and the changelog. CMake reads the three numbers from
 * this file, so the package version of TesseraPluginApi always equals the ABI version.
 */
#ifndef TESSERA_PLUGIN_ABI_VERSION_H
#define TESSERA_PLUGIN_ABI_VERSION_H

#define TESSERA_PLUGIN_ABI_MAJOR 1
#define TESSERA_PLUGIN_ABI_MINOR 3
#define TESSERA_PLUGIN_ABI_PATCH 0

/*
 * Packs a version as (major << 24) | (minor << 16) | patch, as libobs does. ("0u +" makes the
 * arithmetic unsigned without a cast, so C++ plugins built with -Wold-style-cast stay quiet.)
 */
#define TESSERA_MAKE_VERSION(major, minor, patch) \
	((0u + (major)) << 24 | (0u + (minor)) << 16 | (0u + (patch)))

/* Unpacks the parts of a packed version. */
#define TESSERA_VERSION_MAJOR(version) (((0u + (version)) >> 24) & 0xFFu)
#define TESSERA_VERSION_MINOR(version) (((0u + (version)) >> 16) & 0xFFu)
#define TESSERA_VERSION_PATCH(version) ((0u + (version)) & 0xFFFFu)

/* The version of this header, packed. */
#define TESSERA_PLUGIN_ABI_VERSION \
	TESSERA_MAKE_VERSION(TESSERA_PLUGIN_ABI_MAJOR, TESSERA_PLUGIN_ABI_MINOR, TESSERA_PLUGIN_ABI_PATCH)

#endif /* TESSERA_PLUGIN_ABI_VERSION_H */
