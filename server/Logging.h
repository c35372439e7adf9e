#pragma once

#include <QLoggingCategory>

// The server's one category. Keys and Authorization headers never reach it.
Q_DECLARE_LOGGING_CATEGORY(lcServer)
