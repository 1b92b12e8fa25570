#ifndef ODOMETER_CRDKAFKA_SHIM_H
#define ODOMETER_CRDKAFKA_SHIM_H
#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>
#endif
