// SPDX-FileCopyrightText: Tessera contributors
// SPDX-License-Identifier: Apache-2.0
#include "options.h"

#include <charconv>

namespace tessera::app {

namespace {
Error bad(std::string message)
{
    return Error(ErrorCode::BadRequest, std::move(message));
}

bool parseSize(const std::string &text, int &w, int &h)
{
    const auto x = text.find('x');
    if (x == std::string::npos)
        return false;
    const char *b = text.data();
    auto r1 = std::from_chars(b, b + x, w);
    auto r2 = std::from_chars(b + x + 1, b + text.size(), h);
    return r1.ec == std::errc() && r1.ptr == b + x && r2.ec == std::errc() && r2.ptr == b + text.size() && w >= 320
        && h >= 320 && w <= 7680 && h <= 7680;
}
} // namespace

std::string usage()
{
    return R"(Usage: tessera [options]
       tessera [--data-dir DIR] audit verify|tail|export …   (tessera audit --help)
       tessera [--data-dir DIR] token verify|public-key …    (tessera token --help)
       tessera [--data-dir DIR] plugins list                 (tessera plugins --help)

Tessera hosts Matrix widgets: the web apps rooms publish as m.widget state. Without
--homeserver it runs on embedded local rooms and needs no server.

Options:
  --data-dir DIR          where Tessera keeps its data (default: $XDG_DATA_HOME/tessera)
  --homeserver URL        use a Matrix homeserver instead of the local rooms
  --oauth-client-id ID    sign in through the browser with this client id, registered for
                          Tessera by the server's administrators (default: Tessera registers
                          itself where the server allows it)
  --sign-in-timeout S     give up waiting for the browser sign-in after S seconds (default 300)
  --room ID               open this room at start
  --open-widget URL       add a widget to the room (as typing /widget URL)
  --widget-name NAME      the name for --open-widget
  --plugins-dir DIR       load plugins from DIR too (repeatable; also TESSERA_PLUGIN_PATH)
  --user-plugins          load third-party plugins from your plugin directory
  --safe-mode             load bundled plugins only
  --allow-http-loopback   developer switch: allow http: widgets on localhost/127.0.0.1/[::1]
  --screenshot FILE       save a PNG of the window once every open widget has loaded, then exit
  --screenshot-timeout S  give up on --screenshot after S seconds (default 60)
  --size WIDTHxHEIGHT     window size (default 1280x800)
  --theme system|light|dark
  --language en|es
  -platform NAME          the Qt platform plugin (e.g. offscreen)
  --version               print the version
  --help                  print this help
)";
}

Result<Options> parseOptions(const std::vector<std::string> &args)
{
    Options o;
    for (std::size_t i = 0; i < args.size(); ++i) {
        const std::string &a = args[i];
        if (!o.command.empty()) {
            o.commandArgs.push_back(a);
            continue;
        }
        auto value = [&](std::string &out) -> Result<void> {
            if (i + 1 >= args.size() || args[i + 1].empty())
                return bad(a + " needs a value");
            out = args[++i];
            return {};
        };
        std::string v;
        if (a == "--help" || a == "-h") {
            o.showHelp = true;
        } else if (a == "--version") {
            o.showVersion = true;
        } else if (a == "--data-dir") {
            if (auto r = value(v); !r)
                return r.error();
            o.dataDir = v;
        } else if (a == "--homeserver") {
            if (auto r = value(o.homeserver); !r)
                return r.error();
            if (o.homeserver.rfind("https://", 0) != 0 && o.homeserver.rfind("http://", 0) != 0)
                return bad("--homeserver needs an http(s) URL, e.g. https://matrix.example.org");
        } else if (a == "--oauth-client-id") {
            if (auto r = value(o.oauthClientId); !r)
                return r.error();
        } else if (a == "--sign-in-timeout") {
            if (auto r = value(v); !r)
                return r.error();
            int s = 0;
            auto res = std::from_chars(v.data(), v.data() + v.size(), s);
            if (res.ec != std::errc() || res.ptr != v.data() + v.size() || s < 1 || s > 3600)
                return bad("--sign-in-timeout needs a number of seconds from 1 to 3600");
            o.signInTimeoutSeconds = s;
        } else if (a == "--room") {
            if (auto r = value(o.room); !r)
                return r.error();
        } else if (a == "--open-widget") {
            if (auto r = value(o.openWidget); !r)
                return r.error();
        } else if (a == "--widget-name") {
            if (auto r = value(o.openWidgetName); !r)
                return r.error();
        } else if (a == "--plugins-dir" || a == "--plugin-dir") {
            if (auto r = value(v); !r)
                return r.error();
            o.pluginDirs.emplace_back(v);
        } else if (a == "--user-plugins") {
            o.allowUserPlugins = true;
        } else if (a == "--safe-mode") {
            o.safeMode = true;
        } else if (a == "--allow-http-loopback") {
            o.allowHttpLoopback = true;
        } else if (a == "--screenshot") {
            if (auto r = value(o.screenshot); !r)
                return r.error();
        } else if (a == "--screenshot-timeout") {
            if (auto r = value(v); !r)
                return r.error();
            int s = 0;
            auto res = std::from_chars(v.data(), v.data() + v.size(), s);
            if (res.ec != std::errc() || res.ptr != v.data() + v.size() || s < 1 || s > 3600)
                return bad("--screenshot-timeout needs a number of seconds from 1 to 3600");
            o.screenshotTimeoutMs = s * 1000;
        } else if (a == "--size") {
            if (auto r = value(v); !r)
                return r.error();
            if (!parseSize(v, o.width, o.height))
                return bad("--size needs WIDTHxHEIGHT between 320 and 7680, e.g. 1280x800");
        } else if (a == "--theme") {
            if (auto r = value(o.theme); !r)
                return r.error();
            if (o.theme != "system" && o.theme != "light" && o.theme != "dark")
                return bad("--theme must be system, light or dark");
        } else if (a == "--language") {
            if (auto r = value(o.language); !r)
                return r.error();
            if (o.language != "en" && o.language != "es")
                return bad("--language must be en or es");
        } else if (a == "-platform" || a == "--platform") {
            if (auto r = value(v); !r)
                return r.error();
            o.qtArgs.push_back("-platform");
            o.qtArgs.push_back(v);
        } else if (a == "audit" || a == "token" || a == "plugins") {
            o.command = a;
        } else if (a == "--plugin") {
            return bad("unknown option --plugin (did you mean --plugins-dir?)");
        } else {
            return bad("unknown option " + a + " (see tessera --help)");
        }
    }
    if (!o.command.empty() && (!o.openWidget.empty() || !o.screenshot.empty()))
        return bad("--open-widget and --screenshot cannot be combined with the " + o.command + " command");
    return o;
}

} // namespace tessera::app
