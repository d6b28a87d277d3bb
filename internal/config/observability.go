package config

import (
	"errors"
	"flag"
	"fmt"
	"net/url"
	"time"
)

// Observability configures metrics, tracing and the slow-operation log.
type Observability struct {
	// MetricsAddr, when set, serves /metrics on this separate listener (for example
	// 127.0.0.1:9090 or an address only the Prometheus network reaches).
	MetricsAddr string
	// MetricsPublic serves /metrics on the main listener too. It defaults to on in development
	// without MetricsAddr and to off otherwise: on the internet, metrics are a leak.
	MetricsPublic bool
	// SlowOperation logs GraphQL operations that take at least this long (0: none).
	SlowOperation time.Duration
	// Tracing is on when the OpenTelemetry variables name an OTLP endpoint (see tracing).
	Tracing bool
	// TracingProtocol is the OTLP protocol, grpc or http/protobuf.
	TracingProtocol string
}

// DefaultSlowOperation is the slow-operation threshold unless VITRINE_SLOW_OPERATION says.
const DefaultSlowOperation = 500 * time.Millisecond

// Metrics reports whether metrics are served anywhere, and so worth collecting.
func (o Observability) Metrics() bool { return o.MetricsAddr != "" || o.MetricsPublic }

// flags defines the observability settings on fs and returns the raw VITRINE_METRICS_PUBLIC,
// whose default depends on the environment and is resolved by validate.
func (o *Observability) flags(fs *flag.FlagSet, e *envReader) *string {
	public := new(string)
	fs.StringVar(&o.MetricsAddr, "metrics-addr", e.str("VITRINE_METRICS_ADDR", ""), "serve Prometheus /metrics on this separate address, e.g. 127.0.0.1:9090 or one only the monitoring network reaches (VITRINE_METRICS_ADDR)")
	fs.StringVar(public, "metrics-public", e.str("VITRINE_METRICS_PUBLIC", ""), "serve /metrics on the main listener too: true or false; in production only behind a proxy that keeps /metrics from the internet; default true in development without VITRINE_METRICS_ADDR, false otherwise (VITRINE_METRICS_PUBLIC)")
	fs.DurationVar(&o.SlowOperation, "slow-operation", e.duration("VITRINE_SLOW_OPERATION", DefaultSlowOperation), "log GraphQL operations that take at least this long, with their cost and SQL statement count; 0 disables (VITRINE_SLOW_OPERATION)")
	return public
}

// validate resolves the defaults that depend on the environment and reads the standard
// OpenTelemetry variables, which have no flags: they mean the same to every OpenTelemetry SDK.
func (o *Observability) validate(production bool, public string, getenv func(string) string) error {
	var err error
	o.MetricsPublic, err = boolOr("VITRINE_METRICS_PUBLIC", public, !production && o.MetricsAddr == "")
	if err != nil {
		return err
	}
	o.Tracing, o.TracingProtocol, err = tracingFromEnv(getenv)
	return err
}

// OTLP protocols Vitrine exports traces with.
const (
	otlpHTTP = "http/protobuf"
	otlpGRPC = "grpc"
)

// tracingFromEnv applies the OpenTelemetry SDK's rules: tracing is on when an OTLP endpoint is
// set, unless OTEL_SDK_DISABLED=true or OTEL_TRACES_EXPORTER=none; the traces-specific
// variables win over the general ones.
func tracingFromEnv(getenv func(string) string) (bool, string, error) {
	e := &envReader{getenv: getenv}
	disabled, err := boolOr("OTEL_SDK_DISABLED", e.str("OTEL_SDK_DISABLED", ""), false)
	if err != nil {
		return false, "", err
	}
	exporter := e.str("OTEL_TRACES_EXPORTER", "otlp")
	if exporter != "otlp" && exporter != "none" {
		return false, "", fmt.Errorf("OTEL_TRACES_EXPORTER: %q is not supported (otlp or none)", exporter)
	}
	var errs []error
	endpoint := ""
	for _, key := range []string{"OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"} {
		v := e.str(key, "")
		if v == "" {
			continue
		}
		if u, err := url.Parse(v); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			errs = append(errs, fmt.Errorf("%s must be a URL such as http://collector:4318, got %q", key, redact(v)))
		}
		endpoint = v
	}
	protocol := e.str("OTEL_EXPORTER_OTLP_TRACES_PROTOCOL", e.str("OTEL_EXPORTER_OTLP_PROTOCOL", otlpHTTP))
	if protocol != otlpHTTP && protocol != otlpGRPC {
		key := "OTEL_EXPORTER_OTLP_PROTOCOL"
		if e.str("OTEL_EXPORTER_OTLP_TRACES_PROTOCOL", "") != "" {
			key = "OTEL_EXPORTER_OTLP_TRACES_PROTOCOL"
		}
		errs = append(errs, fmt.Errorf("%s: %q is not supported (%s or %s)", key, protocol, otlpHTTP, otlpGRPC))
	}
	if err := errors.Join(errs...); err != nil {
		return false, "", err
	}
	return !disabled && exporter == "otlp" && endpoint != "", protocol, nil
}
