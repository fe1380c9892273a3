// org.freedesktop.LogControl1, as systemd's own daemons have it, so that
// `systemctl service-log-level claude-harness debug` changes the level of a running daemon.
#include <string>

#include <spdlog/spdlog.h>

#include "common/bus_names.h"
#include "daemon/bus_access.h"
#include "daemon/bus_harness.h"
#include "daemon/http_context.h"
#include "daemon/logging.h"

namespace ch {
namespace {

int get_log_level(sd_bus*, const char*, const char*, const char*, sd_bus_message* reply, void*,
                  sd_bus_error* error) {
    return bus_guarded(error,
                       [&] { return sd_bus_message_append(reply, "s", syslog_level().c_str()); });
}

int get_log_target(sd_bus*, const char*, const char*, const char*, sd_bus_message* reply, void*,
                   sd_bus_error* error) {
    return bus_guarded(error,
                       [&] { return sd_bus_message_append(reply, "s", log_target().c_str()); });
}

int get_identifier(sd_bus*, const char*, const char*, const char*, sd_bus_message* reply, void*,
                   sd_bus_error* error) {
    return bus_guarded(error, [&] { return sd_bus_message_append(reply, "s", "claude-harnessd"); });
}

Config current_config(void* userdata) {
    return static_cast<BusSources*>(userdata)->http->settings()->config;
}

int set_log_level(sd_bus*, const char*, const char*, const char*, sd_bus_message* value,
                  void* userdata, sd_bus_error* error) {
    return bus_guarded(error, [&] {
        if (const int r = check_admin(value, current_config(userdata), "Setting LogLevel", error);
            r < 0)
            return r;
        const char* level = nullptr;
        if (const int r = sd_bus_message_read(value, "s", &level); r < 0) return r;
        if (!set_syslog_level(level))
            return sd_bus_error_setf(error, SD_BUS_ERROR_INVALID_ARGS,
                                     "unknown log level '%s' (emerg, alert, crit, err, warning, "
                                     "notice, info, debug)",
                                     level);
        spdlog::info("log level set to {} over the bus", level);
        return 0;
    });
}

int set_log_target(sd_bus*, const char*, const char*, const char*, sd_bus_message* value,
                   void* userdata, sd_bus_error* error) {
    return bus_guarded(error, [&] {
        if (const int r = check_admin(value, current_config(userdata), "Setting LogTarget", error);
            r < 0)
            return r;
        const char* target = nullptr;
        if (const int r = sd_bus_message_read(value, "s", &target); r < 0) return r;
        // The sink is chosen at start from how systemd connected stderr; switching it while
        // other threads log is not safe with spdlog, so only the current target is accepted.
        if (target == log_target()) return 0;
        return sd_bus_error_setf(error, bus::kErrorNotSupported,
                                 "the log target is '%s' and cannot be changed while running",
                                 log_target().c_str());
    });
}

const sd_bus_vtable kLogControlVtable[] = {
    SD_BUS_VTABLE_START(0),
    SD_BUS_WRITABLE_PROPERTY("LogLevel", "s", get_log_level, set_log_level, 0,
                             SD_BUS_VTABLE_UNPRIVILEGED),
    SD_BUS_WRITABLE_PROPERTY("LogTarget", "s", get_log_target, set_log_target, 0,
                             SD_BUS_VTABLE_UNPRIVILEGED),
    SD_BUS_PROPERTY("SyslogIdentifier", "s", get_identifier, 0, SD_BUS_VTABLE_PROPERTY_CONST),
    SD_BUS_VTABLE_END,
};

}  // namespace

const sd_bus_vtable* log_control_vtable() {
    return kLogControlVtable;
}

}  // namespace ch
