#include "Logging.h"

Q_LOGGING_CATEGORY(lcApp, "legba.app")
