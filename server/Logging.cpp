#include "Logging.h"

Q_LOGGING_CATEGORY(lcServer, "legba.server")
