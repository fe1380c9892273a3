// Who may change things over the bus: root and members of the admin group, decided from the
// caller's credentials as the bus daemon reports them (not from anything the caller sends).
#pragma once

#include <string>

#include <systemd/sd-bus.h>

namespace ch {

// 0 when the sender of `message` may make changes; otherwise a negative errno with `error`
// set to org.freedesktop.DBus.Error.AccessDenied naming `what`.
int check_admin(sd_bus_message* message, const std::string& admin_group, const char* what,
                sd_bus_error* error);

}  // namespace ch
