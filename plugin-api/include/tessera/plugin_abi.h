/* SPDX-FileCopyrightText: Tessera contributors */
/* SPDX-License-Identifier: Apache-2.0 */

/*
 * The Tessera plugin ABI: the C interface between the host and a plugin library.
 *
 * A plugin is a shared library plus a plugin.json manifest in one folder. The host reads the
 * manifest first, opens the library, and calls, in this order:
 *
 *   1. tessera_plugin_abi_version()  Required. Checked before anything else (see
 *                                    plugin_abi_version.h for the rules).
 *   2. tessera_plugin_load()         Required. The plugin registers its widget types and
 *                                    capability handlers through the registrar, and keeps the
 *                                    host function table for later.
 *   3. tessera_plugin_unload()       Optional. Called once at shutdown if load succeeded.
 *
 * Rules that hold for everything in this file (plugin-api/ABI.md explains them):
 *
 *   - Strings are UTF-8 and NUL-terminated. JSON is passed as text, never as a parsed value.
 *     The host rejects invalid UTF-8 and invalid JSON with TESSERA_BAD_REQUEST.
 *   - Ownership never changes sides. Everything the plugin hands to the host is borrowed for the
 *     duration of the call; the host copies what it keeps. Everything the host hands to the
 *     plugin is borrowed for the duration of the call or callback; copy what you keep.
 *   - No C++ exception may leave a function the plugin exports or hands to the host. The C++
 *     layer (plugin.hpp) wraps every entry point and callback in a catch-all for you.
 *   - Threads: the host calls every plugin function on its main thread, one call at a time.
 *     Host functions must be called on that thread too, except `log` and `post`, which may be
 *     called from any thread.
 *   - Structs are append-only. Structs the plugin fills (tessera_widget_type_info,
 *     tessera_capability_handler_info, tessera_http_request) are passed with their size, so an
 *     older plugin passes a smaller struct and the host zero-fills the rest. Structs the host
 *     fills start with `struct_size`; check a member with TESSERA_HAS_MEMBER before using a
 *     member added after the minor you require.
 */
#ifndef TESSERA_PLUGIN_ABI_H
#define TESSERA_PLUGIN_ABI_H

#include <stddef.h>
#include <stdint.h>

#include "plugin_abi_version.h"

#if defined(_WIN32)
#define TESSERA_PLUGIN_EXPORT __declspec(dllexport)
#else
#define TESSERA_PLUGIN_EXPORT __attribute__((visibility("default")))
#endif

#ifdef __cplusplus
#define TESSERA_EXTERN_C extern "C"
extern "C" {
#else
#define TESSERA_EXTERN_C
#endif

/* ---------------------------------------------------------------------------------------------
 * Status codes
 * ------------------------------------------------------------------------------------------- */

/*
 * The result of a call across the boundary. TESSERA_OK is 0; every other value is a failure.
 * New codes may be added in later minors: treat an unknown non-zero code as TESSERA_ERROR.
 */
typedef int32_t tessera_status;

#define TESSERA_OK 0           /* Success, or "accepted" for asynchronous requests. */
#define TESSERA_ERROR 1        /* A failure without a more specific code. */
#define TESSERA_BAD_REQUEST 2  /* An argument is missing, malformed, not UTF-8, or out of range. */
#define TESSERA_DENIED 3       /* Refused by policy: capability not granted, not the plugin's own. */
#define TESSERA_UNSUPPORTED 4  /* This host does not offer the function. */
#define TESSERA_NOT_FOUND 5    /* Unknown call, session, timer or request id. */
#define TESSERA_LIMIT 6        /* A documented limit (size, count) was reached. */
#define TESSERA_UNAVAILABLE 7  /* A service the request needs cannot be reached right now. */
#define TESSERA_BAD_WIDGET 8   /* (1.3) build_url: this widget cannot be shown; set_error says why. */
#define TESSERA_TIMEOUT 9      /* (1.3) No answer in time: an HTTP transfer ran out of timeout_ms. */

/* Log levels for tessera_host_api.log. */
#define TESSERA_LOG_DEBUG 0
#define TESSERA_LOG_INFO 1
#define TESSERA_LOG_WARNING 2
#define TESSERA_LOG_ERROR 3

/* ---------------------------------------------------------------------------------------------
 * Opaque handles and callback types
 * ------------------------------------------------------------------------------------------- */

/*
 * The host's per-plugin context. Pass it back as the first argument of every host function.
 * Owned by the host; valid from tessera_plugin_load until tessera_plugin_unload returns.
 */
typedef struct tessera_host tessera_host;

/* A task run later on the host thread (timers and post). */
typedef void (*tessera_task_fn)(void *user_data);

/*
 * Completion of an asynchronous host request (push, room access, token minting).
 *
 * status   TESSERA_OK on success; otherwise the failure.
 * text     On success: the JSON result the function documents. On failure: a human-readable
 *          message. Borrowed: valid only during the callback. Never NULL.
 *
 * Called at most once, on the host thread, never before the function that started the request
 * has returned. Not called at all if the plugin is disabled or unloaded first: free what
 * user_data owns in tessera_plugin_unload.
 */
typedef void (*tessera_result_fn)(void *user_data, tessera_status status, const char *text);

/* ---------------------------------------------------------------------------------------------
 * HTTP
 * ------------------------------------------------------------------------------------------- */

/*
 * A piece of a streamed response body (tessera_http_request.on_data, 1.2): `size` bytes at
 * `data` (not NUL-terminated), borrowed for the call.
 */
typedef void (*tessera_http_data_fn)(void *user_data, int32_t http_status, const char *data, size_t size);

/*
 * An HTTP request the plugin asks the host to make (tessera_host_api.http_request). Filled by
 * the plugin and passed with its size. Borrowed: the host copies it before the call returns.
 */
typedef struct tessera_http_request {
	/* Required: "GET", "HEAD", "POST", "PUT", "PATCH" or "DELETE". */
	const char *method;

	/*
	 * Required: an absolute https: URL, or an http: URL whose host is a loopback address
	 * (localhost, 127.0.0.0/8, ::1). At most 8192 bytes.
	 */
	const char *url;

	/*
	 * Optional: a JSON object of request headers, {"name": "value", ...}. At most 64 headers.
	 * The host refuses "Host", "Content-Length", "Transfer-Encoding", "Connection", "Cookie"
	 * and "Proxy-*". NULL means no extra headers.
	 */
	const char *headers_json;

	/* Optional: the request body, body_size bytes (need not be NUL-terminated). At most 8 MiB. */
	const char *body;

	/* Optional: the number of bytes at body. 0 with a NULL body means no body. */
	size_t body_size;

	/* Optional: total time for the transfer in milliseconds; 0 means 30000. At most 120000. */
	uint32_t timeout_ms;

	/* Optional: the largest response body accepted; 0 means 8 MiB. At most 64 MiB. */
	uint32_t max_response_bytes;

	/* ---- Added in 1.2 -------------------------------------------------------------------- */

	/*
	 * Optional: the widget session the request is made for (a session_id from a
	 * tessera_call_info, still open). The plugin learns a session only from a call to one of
	 * its handlers, which the user approved for that widget, so the request is consented like
	 * the call; the audit log records it with that widget and room. 0: the plugin's own request,
	 * recorded under the plugin alone.
	 */
	uint64_t session_id;

	/*
	 * Optional: receive the response body in pieces as it arrives (server-sent events, a log
	 * tail, a long download) instead of in the response; `done` then has an empty body. Called
	 * on the host thread, in order, with the user_data given to http_request and the HTTP status
	 * of the response the piece belongs to, always before `done`, never after http_cancel.
	 * timeout_ms and max_response_bytes still bound the whole transfer: a stream ends at the
	 * latest after 120 s and the plugin starts a new request to go on.
	 */
	tessera_http_data_fn on_data;
} tessera_http_request;

/*
 * The outcome of an HTTP request. Filled by the host; borrowed for the duration of the
 * tessera_http_fn callback only.
 */
typedef struct tessera_http_response {
	/* sizeof(tessera_http_response) as the host compiled it. */
	uint32_t struct_size;

	/*
	 * TESSERA_OK when the server answered, whatever the HTTP status. Otherwise the transfer
	 * failed (DNS, TLS, timeout, response too large) and `error` says why: TESSERA_TIMEOUT
	 * (1.3) when timeout_ms ran out, TESSERA_UNAVAILABLE when no connection could be made (and,
	 * for a plugin built against 1.0-1.2, on a timeout too).
	 */
	tessera_status status;

	/* The HTTP status code, or 0 if the transfer failed. */
	int32_t http_status;

	/*
	 * A JSON object of response headers, names in lower case; repeated headers are joined with
	 * ", ". "{}" when the transfer failed. Never NULL.
	 */
	const char *headers_json;

	/* The response body, body_size bytes, followed by a NUL the size does not count. */
	const char *body;
	size_t body_size;

	/* The reason the transfer failed, or "" on success. Never NULL. */
	const char *error;
} tessera_http_response;

/*
 * Completion of an HTTP request. Called exactly once on the host thread, never before
 * http_request returned, unless the request was cancelled or the plugin was disabled or
 * unloaded first.
 */
typedef void (*tessera_http_fn)(void *user_data, const tessera_http_response *response);

/* ---------------------------------------------------------------------------------------------
 * The host function table
 * ------------------------------------------------------------------------------------------- */

/*
 * The functions the host offers a plugin. Filled by the host and passed to tessera_plugin_load.
 * The pointer and every function in it stay valid until tessera_plugin_unload returns; keep the
 * pointer, not a copy of the struct.
 *
 * This is everything a plugin can reach: there is no access to the user's Matrix access token,
 * to other plugins' data, or to rooms beyond what a widget session was granted.
 *
 * Every function is present in a host of the minor that added it. When you require an older
 * minor than the newest member you use, test it first with TESSERA_HAS_MEMBER(api, member).
 */
typedef struct tessera_host_api {
	/* sizeof(tessera_host_api) as the host compiled it. */
	uint32_t struct_size;

	/* The host's TESSERA_PLUGIN_ABI_VERSION, packed as TESSERA_MAKE_VERSION does. */
	uint32_t abi_version;

	/* The context to pass to every function below. */
	tessera_host *host;

	/* ---- Diagnostics ---------------------------------------------------------------------- */

	/*
	 * Writes a line to the host's log, tagged with the plugin's id. Any thread.
	 * level    One of TESSERA_LOG_*; other values are treated as TESSERA_LOG_INFO.
	 * message  UTF-8; longer than 4096 bytes is cut. Borrowed.
	 */
	void (*log)(tessera_host *host, int32_t level, const char *message);

	/*
	 * Tells the host why the plugin function now running on the host thread fails: call it
	 * before returning a non-zero status from tessera_plugin_load or from a handler's `handle`.
	 * The host shows the text to the user ("initialization failed: <message>"). The last call
	 * wins. Borrowed; at most 1024 bytes are kept.
	 */
	void (*set_error)(tessera_host *host, const char *message);

	/*
	 * Copies the reason the last failed host function (on the host thread) failed into buffer,
	 * snprintf-style: writes at most buffer_size - 1 bytes plus a NUL and returns the full
	 * length. buffer may be NULL when buffer_size is 0. Returns 0 if nothing failed yet.
	 */
	size_t (*get_last_error)(tessera_host *host, char *buffer, size_t buffer_size);

	/* ---- Storage -------------------------------------------------------------------------- */

	/*
	 * Copies the absolute path of the plugin's own data directory (created with mode 0700
	 * before tessera_plugin_load) into buffer, snprintf-style (see get_last_error). The plugin
	 * may create any files it wants there; no other plugin can reach them through the host.
	 */
	size_t (*get_data_dir)(tessera_host *host, char *buffer, size_t buffer_size);

	/*
	 * Copies the plugin's settings, a JSON object ("{}" until set_settings was called), into
	 * buffer, snprintf-style. Settings persist across runs.
	 */
	size_t (*get_settings)(tessera_host *host, char *buffer, size_t buffer_size);

	/*
	 * Replaces the plugin's settings with settings_json, which must be a JSON object of at most
	 * 65536 bytes. Written to disk before it returns TESSERA_OK.
	 */
	tessera_status (*set_settings)(tessera_host *host, const char *settings_json);

	/* ---- Clock and timers ----------------------------------------------------------------- */

	/* Milliseconds on a monotonic clock (for durations). */
	int64_t (*now_ms)(tessera_host *host);

	/* Milliseconds since the Unix epoch (for timestamps). */
	int64_t (*wall_clock_ms)(tessera_host *host);

	/*
	 * Runs fn(user_data) once on the host thread after at least delay_ms (negative means 0).
	 * Returns the timer's id, never 0; returns 0 (see get_last_error) if fn is NULL or the
	 * plugin already has 256 pending timers. A timer does not run after cancel_timer, nor after
	 * the plugin was disabled or unloaded.
	 */
	uint64_t (*set_timer)(tessera_host *host, int64_t delay_ms, tessera_task_fn fn, void *user_data);

	/* Cancels a pending timer. Unknown and already fired ids are ignored. */
	void (*cancel_timer)(tessera_host *host, uint64_t timer_id);

	/*
	 * Runs fn(user_data) soon on the host thread. Any thread: this is how work done on a
	 * plugin's own thread gets back to the host thread. Must not be called after
	 * tessera_plugin_unload returned. fn does not run if the plugin was disabled or unloaded
	 * in between.
	 */
	tessera_status (*post)(tessera_host *host, tessera_task_fn fn, void *user_data);

	/* ---- Capability handler calls ---------------------------------------------------------- */

	/*
	 * Answers the handler call call_id with a JSON object, which becomes the `response` of the
	 * widget's request. At most 1 MiB. Call exactly once per call, from `handle` itself or
	 * later. Returns TESSERA_NOT_FOUND if the call was already answered or timed out.
	 */
	tessera_status (*reply)(tessera_host *host, uint64_t call_id, const char *response_json);

	/*
	 * Answers the handler call call_id with an error: the widget receives
	 * {"error": {"message": message}}. Use it for requests the plugin refuses (bad input,
	 * nothing found); it does not count as a plugin failure. Same rules as reply.
	 */
	tessera_status (*reply_error)(tessera_host *host, uint64_t call_id, const char *message);

	/*
	 * Sends a toWidget request to a widget session.
	 *
	 * session_id  A session the plugin learned from a tessera_call_info and that is still open.
	 * capability  One of the plugin's own handler capabilities; the session must hold it.
	 * action      The toWidget action name; it must be in the plugin's namespace (its id, or
	 *             starting with the id and a dot).
	 * data_json   The request's `data`, a JSON object of at most 1 MiB.
	 * done        Optional: receives the widget's `response` object as JSON text.
	 */
	tessera_status (*push)(tessera_host *host, uint64_t session_id, const char *capability, const char *action,
	                       const char *data_json, tessera_result_fn done, void *user_data);

	/* ---- Room access on behalf of a widget session ----------------------------------------- */

	/*
	 * Reads current room state of the session's room, with exactly the rights the session was
	 * granted (its receive.state_event capabilities): anything else completes with
	 * TESSERA_DENIED. On success `done` receives a JSON array of state events.
	 *
	 * event_type  Required.
	 * state_key   Optional: NULL means every state key of the type.
	 */
	tessera_status (*read_room_state)(tessera_host *host, uint64_t session_id, const char *event_type,
	                                  const char *state_key, tessera_result_fn done, void *user_data);

	/*
	 * Reads recent room events of one type, within the session's receive.event capabilities.
	 * limit is 1 to 100. On success `done` receives a JSON array of events, newest first.
	 */
	tessera_status (*read_room_events)(tessera_host *host, uint64_t session_id, const char *event_type,
	                                   uint32_t limit, tessera_result_fn done, void *user_data);

	/*
	 * Sends an event to the session's room, within its send.event / send.state_event
	 * capabilities. state_key NULL sends a message event; non-NULL sends a state event.
	 * content_json is a JSON object of at most 64 KiB. On success `done` receives
	 * {"room_id": "...", "event_id": "..."}.
	 */
	tessera_status (*send_room_event)(tessera_host *host, uint64_t session_id, const char *event_type,
	                                  const char *state_key, const char *content_json, tessera_result_fn done,
	                                  void *user_data);

	/* ---- Scoped tokens ---------------------------------------------------------------------- */

	/*
	 * Mints a short-lived token bound to the user, the session's room and its widget, signed by
	 * the host so that a service can verify it but not mint one. Give it to your widget or
	 * your service instead of any credential of the user's.
	 *
	 * audience    Required: who will verify the token, e.g. "https://board.example.org".
	 * scope       Required: what it allows, a space-separated list of plugin-defined words (at
	 *             most 64). The token records each word as "<plugin id>:<word>", so a service
	 *             can tell which plugin asked for it.
	 * lifetime_s  1 to 600 seconds.
	 * On success `done` receives {"token": "...", "expires_at_ms": <epoch ms>}.
	 */
	tessera_status (*mint_token)(tessera_host *host, uint64_t session_id, const char *audience, const char *scope,
	                             uint32_t lifetime_s, tessera_result_fn done, void *user_data);

	/* ---- HTTP ------------------------------------------------------------------------------- */

	/*
	 * Starts an HTTP request through the host's client (the same TLS verification and proxy
	 * settings as the rest of Tessera; verification cannot be turned off). Use
	 * tessera_http_request_start() below, which passes the struct size.
	 *
	 * request_id  Optional: receives the id for http_cancel.
	 * Returns TESSERA_OK when the request started; `done` then runs exactly once.
	 */
	tessera_status (*http_request)(tessera_host *host, const tessera_http_request *request, size_t request_size,
	                               tessera_http_fn done, void *user_data, uint64_t *request_id);

	/* Cancels a request; its callback will not run. Unknown and finished ids are ignored. */
	void (*http_cancel)(tessera_host *host, uint64_t request_id);

	/* ---- Secrets (added in 1.2) ------------------------------------------------------------- */

	/*
	 * The plugin's secrets (API tokens, passwords) in the system keychain Tessera keeps its own
	 * secrets in, or in its 0600-file fallback where no keychain runs. Never in settings, room
	 * state, URLs or the audit log: the log records that a secret was read, written or deleted,
	 * and its name, never its value. Each plugin sees only its own names.
	 *
	 * name   Required: 1 to 64 bytes of letters, digits, '-', '_' and '.' (no ".."), e.g.
	 *        "token.git.example.org". Stored as "plugin.<plugin id>.<name>".
	 * value  write_secret: UTF-8 of 1 to 8192 bytes.
	 *
	 * read_secret: `done` receives the value, or TESSERA_NOT_FOUND if there is none.
	 * write_secret, delete_secret: `done` receives "{}" (deleting a missing name succeeds).
	 * `done` runs once on the host thread, never inside the call.
	 */
	tessera_status (*read_secret)(tessera_host *host, const char *name, tessera_result_fn done, void *user_data);
	tessera_status (*write_secret)(tessera_host *host, const char *name, const char *value, tessera_result_fn done,
	                               void *user_data);
	tessera_status (*delete_secret)(tessera_host *host, const char *name, tessera_result_fn done, void *user_data);
} tessera_host_api;

/*
 * True if the host table `api` has `member` and it is set. Use it for members added after the
 * minor your plugin requires (libobs's HAS_VAL).
 */
#define TESSERA_HAS_MEMBER(api, member)                                                          \
	((api) != NULL && offsetof(tessera_host_api, member) + sizeof((api)->member) <= (api)->struct_size \
	 && (api)->member != NULL)

/* Starts an HTTP request, passing the size of the plugin's tessera_http_request. */
#define tessera_http_request_start(api, request, done, user_data, request_id) \
	((api)->http_request((api)->host, (request), sizeof(*(request)), (done), (user_data), (request_id)))

/* ---------------------------------------------------------------------------------------------
 * Capability handler calls
 * ------------------------------------------------------------------------------------------- */

/*
 * One fromWidget request routed to a capability handler. Filled by the host; borrowed for the
 * duration of `handle` only (copy call_id and session_id, they are what you keep).
 *
 * The host calls a handler only after the user approved the handler's capability for that
 * widget session, and records every call and its outcome in the audit log.
 */
typedef struct tessera_call_info {
	/* sizeof(tessera_call_info) as the host compiled it. */
	uint32_t struct_size;

	/* Identifies this call for reply / reply_error. Never 0, never reused in a run. */
	uint64_t call_id;

	/*
	 * Identifies the widget session that sent the request, for push, room access and tokens.
	 * Never 0. Stable while the session is open; ids are per plugin.
	 */
	uint64_t session_id;

	/* The handler's capability the session holds. */
	const char *capability;

	/* The fromWidget action name. */
	const char *action;

	/* The request's `data`, a JSON object ("{}" if the widget sent none). */
	const char *data_json;

	/*
	 * The widget, as a JSON object: {"id", "type", "room_id", "origin", "url", "creator", "data"}.
	 * "data" is the `data` object of the widget's state event as whoever added the widget
	 * published it ({} if none): check it like any other input. Never contains credentials.
	 */
	const char *widget_json;
} tessera_call_info;

/* ---------------------------------------------------------------------------------------------
 * What a plugin registers
 * ------------------------------------------------------------------------------------------- */

/*
 * A widget type: how Tessera shows widgets whose `type` is `type`.
 *
 * Exactly one of url_template, build_url and asset_entry says where the widget's page comes
 * from. Filled by the plugin and passed with its size (tessera_register_widget_type); the host
 * copies every string before the call returns. Every type must be listed in the manifest's
 * provides.widgetTypes.
 */
typedef struct tessera_widget_type_info {
	/*
	 * Required: the widget type as it appears in an m.widget state event's `type`, e.g.
	 * "io.example.board" or "jitsi". Printable ASCII without spaces, at most 255 bytes. A type
	 * belongs to one plugin: the first plugin that registers it.
	 */
	const char *type;

	/* Required: the name shown to the user, e.g. "Kanban board". At most 128 bytes. */
	const char *display_name;

	/*
	 * Optional: the icon, a PNG or SVG file given as a path relative to the plugin's assets
	 * directory (manifest "assets"), e.g. "icons/board.svg".
	 */
	const char *icon;

	/*
	 * One of three: a URL template the host fills from the widget's `data` and its own values
	 * with the Widget API templating rules ($matrix_room_id, $matrix_user_id, $<data key>, …),
	 * e.g. "https://board.example.org/#/$board_id?room=$matrix_room_id". At most 8192 bytes.
	 * The result must pass the host's URL policy (https:, or http: on loopback in developer
	 * mode).
	 */
	const char *url_template;

	/*
	 * One of three: builds the widget's URL. widget_json is the widget as a JSON object
	 * ({"id", "type", "url", "name", "data", "room_id", "creator"}; since 1.3 also "config",
	 * the room's config of the plugin (the `config` of its io.tessera.plugin event, valid
	 * against the manifest's configSchema; {} when the room has none), and "user",
	 * {"id", "display_name"} of the user the widget is shown to); write a NUL-terminated URL of
	 * at most url_buffer_size - 1 bytes to url_buffer (the host offers 8192) and return
	 * TESSERA_OK. The result goes through the same URL policy. Called on the host thread.
	 *
	 * A widget the plugin cannot show (its data is missing or wrong: anyone who may send
	 * m.widget in the room wrote it) is not a failure of the plugin: call set_error with the
	 * reason and return TESSERA_BAD_WIDGET (1.3). The host shows the reason on the widget's tile
	 * and does not count it against the plugin. Any other non-zero status is a failure.
	 */
	tessera_status (*build_url)(void *type_data, const char *widget_json, char *url_buffer, size_t url_buffer_size);

	/*
	 * One of three: the page to serve for this type, a path relative to the plugin's assets
	 * directory, e.g. "board/index.html". The host serves the assets directory on its plugin
	 * scheme and nothing else.
	 */
	const char *asset_entry;

	/*
	 * Optional: the capabilities widgets of this type need, and why, as a JSON array:
	 * [{"capability": "org.matrix.msc2762.receive.state_event:io.example.card",
	 *   "reason": "Shows the cards of this room"}]. At most 64 entries; each reason at most 512
	 * bytes. Each capability must be listed in the manifest's "capabilities" or be one of the
	 * plugin's own handler capabilities. The consent dialog shows the reasons.
	 */
	const char *capabilities_json;

	/* Optional: passed back to build_url and free_type_data. Owned by the plugin. */
	void *type_data;

	/*
	 * Optional: called once when the host no longer needs the type (at shutdown, or when the
	 * plugin's load fails after this registration was accepted). Not called if the
	 * registration itself was refused.
	 */
	void (*free_type_data)(void *type_data);

	/* ---- Added in 1.1 ---------------------------------------------------------------------- */

	/*
	 * Optional: one or two sentences shown where the user picks a widget type to add, e.g.
	 * "A board whose cards are stored in the room". At most 1024 bytes. A plugin built against
	 * 1.0 does not have this member; the host then shows no description.
	 */
	const char *description;

	/* ---- Added in 1.3 ---------------------------------------------------------------------- */

	/*
	 * Optional: TESSERA_WIDGET_TYPE_* bits, 0 for none. The host refuses a registration with a
	 * bit it does not know. A plugin built against 1.2 or older does not have this member: 0.
	 */
	uint32_t flags;
} tessera_widget_type_info;

/*
 * tessera_widget_type_info.flags (1.3): widgets of the type are shown in every room that did
 * not turn the plugin off (`"enabled": false`), also where no io.tessera.plugin event enabled
 * it; their config is then {}. For types other clients create (a `jitsi` widget), whose
 * rooms never heard of the plugin.
 */
#define TESSERA_WIDGET_TYPE_ENABLED_BY_DEFAULT 0x1u

/*
 * A capability handler: a custom capability string and the fromWidget actions a widget holding
 * it may send. Filled by the plugin and passed with its size
 * (tessera_register_capability_handler); the host copies every string before the call returns.
 * Every handler must be listed in the manifest's provides.capabilityHandlers, with the same
 * actions.
 */
typedef struct tessera_capability_handler_info {
	/*
	 * Required: the capability, in the plugin's namespace: the plugin id, or the id followed by
	 * a dot and more, e.g. "io.example.board.cards". At most 1024 bytes. Widgets request it
	 * like any other capability; the user approves or denies it.
	 */
	const char *capability;

	/*
	 * Required: what granting the capability lets the widget do, shown in the consent dialog,
	 * e.g. "Read and move the cards of this room's board". At most 512 bytes.
	 */
	const char *description;

	/*
	 * Required: the fromWidget actions this handler answers, a NULL-terminated array of at most
	 * 64 names, each in the plugin's namespace. Action names the Widget API defines cannot be
	 * claimed.
	 */
	const char *const *actions;

	/*
	 * Required: handles one request. Return TESSERA_OK after answering with reply/reply_error,
	 * or when you will answer later (within the host's time budget, 10 s by default). Return
	 * anything else (after set_error) if handling failed: the widget gets an error, and a
	 * handler that fails 3 times in a row, or does not answer in time, is disabled for the
	 * rest of the session.
	 */
	tessera_status (*handle)(void *handler_data, const tessera_call_info *call);

	/*
	 * Optional: the widget session session_id closed; forget it (pushes to it would fail).
	 */
	void (*session_closed)(void *handler_data, uint64_t session_id);

	/* Optional: passed back to handle, session_closed and free_handler_data. Owned by the plugin. */
	void *handler_data;

	/* Optional: like tessera_widget_type_info.free_type_data. */
	void (*free_handler_data)(void *handler_data);
} tessera_capability_handler_info;

/*
 * Registration functions, valid only while tessera_plugin_load runs. Filled by the host;
 * borrowed for the duration of tessera_plugin_load.
 */
typedef struct tessera_registrar {
	/* sizeof(tessera_registrar) as the host compiled it. */
	uint32_t struct_size;

	/* The context to pass to the functions below (the same as tessera_host_api.host). */
	tessera_host *host;

	/*
	 * Registers a widget type. info_size is the plugin's sizeof(tessera_widget_type_info): use
	 * the tessera_register_widget_type macro. Returns TESSERA_OK, or a failure whose reason
	 * get_last_error gives. Any refused registration fails the plugin's load, with the reason.
	 */
	tessera_status (*register_widget_type)(tessera_host *host, const tessera_widget_type_info *info,
	                                       size_t info_size);

	/* Registers a capability handler; same rules as register_widget_type. */
	tessera_status (*register_capability_handler)(tessera_host *host, const tessera_capability_handler_info *info,
	                                              size_t info_size);
} tessera_registrar;

/* Registers *info, passing its size as compiled into the plugin. */
#define tessera_register_widget_type(registrar, info) \
	((registrar)->register_widget_type((registrar)->host, (info), sizeof(*(info))))

/* Registers *info, passing its size as compiled into the plugin. */
#define tessera_register_capability_handler(registrar, info) \
	((registrar)->register_capability_handler((registrar)->host, (info), sizeof(*(info))))

/* ---------------------------------------------------------------------------------------------
 * Entry points
 * ------------------------------------------------------------------------------------------- */

/* The names the host looks up. */
#define TESSERA_ENTRY_ABI_VERSION "tessera_plugin_abi_version"
#define TESSERA_ENTRY_LOAD "tessera_plugin_load"
#define TESSERA_ENTRY_UNLOAD "tessera_plugin_unload"

/*
 * Required: returns TESSERA_PLUGIN_ABI_VERSION as compiled into the plugin. Must not do
 * anything else: the host calls it before it trusts the library.
 */
TESSERA_PLUGIN_EXPORT uint32_t tessera_plugin_abi_version(void);

/*
 * Required: starts the plugin. Register everything through `registrar`, keep `api` for later,
 * and return TESSERA_OK; or call api->set_error and return a failure to refuse to load.
 * Called once, on the host thread, after the plugin's data directory exists.
 */
TESSERA_PLUGIN_EXPORT tessera_status tessera_plugin_load(const tessera_host_api *api, const tessera_registrar *registrar);

/*
 * Optional: stops the plugin. Called once if tessera_plugin_load returned TESSERA_OK: at
 * shutdown, or right away when the host refuses the plugin after a successful load (its
 * registrations do not match the manifest, say). By then the host has released every
 * registered type and handler. Stop your threads and free what you own; the host function
 * table becomes invalid when this returns. The library stays mapped until the host releases it
 * afterwards.
 */
TESSERA_PLUGIN_EXPORT void tessera_plugin_unload(void);

typedef uint32_t (*tessera_plugin_abi_version_fn)(void);
typedef tessera_status (*tessera_plugin_load_fn)(const tessera_host_api *api, const tessera_registrar *registrar);
typedef void (*tessera_plugin_unload_fn)(void);

/*
 * Defines tessera_plugin_abi_version() for a plugin written in C. Use it once, at file scope,
 * without a trailing semicolon. (The C++ layer's TESSERA_PLUGIN macro includes it.)
 */
#define TESSERA_PLUGIN_DECLARE_ABI_VERSION()                                        \
	TESSERA_EXTERN_C TESSERA_PLUGIN_EXPORT uint32_t tessera_plugin_abi_version(void) \
	{                                                                               \
		return TESSERA_PLUGIN_ABI_VERSION;                                          \
	}

#ifdef __cplusplus
}
#endif

#endif /* TESSERA_PLUGIN_ABI_H */
