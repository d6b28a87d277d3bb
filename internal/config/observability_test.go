package config

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestObservabilitySettings(t *testing.T) {
	prod := map[string]string{"VITRINE_ENV": "production", "VITRINE_JWT_SECRET": secret}
	with := func(base map[string]string, kv ...string) map[string]string {
		out := map[string]string{}
		for k, v := range base {
			out[k] = v
		}
		for i := 0; i < len(kv); i += 2 {
			out[kv[i]] = kv[i+1]
		}
		return out
	}
	tests := []struct {
		name string
		env  map[string]string
		args []string
		want Observability
	}{
		{"DevelopmentServesMetricsOnMain", nil, nil,
			Observability{MetricsPublic: true, SlowOperation: 500 * time.Millisecond, TracingProtocol: "http/protobuf"}},
		{"ProductionServesNoMetricsByDefault", prod, nil,
			Observability{SlowOperation: 500 * time.Millisecond, TracingProtocol: "http/protobuf"}},
		{"AdminListenerOnlyWhenSet", with(nil, "VITRINE_METRICS_ADDR", "127.0.0.1:9090"), nil,
			Observability{MetricsAddr: "127.0.0.1:9090", SlowOperation: 500 * time.Millisecond, TracingProtocol: "http/protobuf"}},
		{"ProductionPublicOnlyWhenAsked", with(prod, "VITRINE_METRICS_PUBLIC", "true"), nil,
			Observability{MetricsPublic: true, SlowOperation: 500 * time.Millisecond, TracingProtocol: "http/protobuf"}},
		{"FlagsOverride", with(nil, "VITRINE_SLOW_OPERATION", "1s"), []string{"-slow-operation", "0s", "-metrics-public", "false"},
			Observability{TracingProtocol: "http/protobuf"}},
		{"TracingWithEndpoint", with(nil, "OTEL_EXPORTER_OTLP_ENDPOINT", "http://collector:4318"), nil,
			Observability{MetricsPublic: true, SlowOperation: 500 * time.Millisecond, Tracing: true, TracingProtocol: "http/protobuf"}},
		{"TracingWithTracesEndpointOverGRPC", with(nil, "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "https://collector:4317", "OTEL_EXPORTER_OTLP_PROTOCOL", "grpc"), nil,
			Observability{MetricsPublic: true, SlowOperation: 500 * time.Millisecond, Tracing: true, TracingProtocol: "grpc"}},
		{"TracesProtocolWins", with(nil, "OTEL_EXPORTER_OTLP_ENDPOINT", "http://c:4317", "OTEL_EXPORTER_OTLP_PROTOCOL", "http/protobuf", "OTEL_EXPORTER_OTLP_TRACES_PROTOCOL", "grpc"), nil,
			Observability{MetricsPublic: true, SlowOperation: 500 * time.Millisecond, Tracing: true, TracingProtocol: "grpc"}},
		{"SDKDisabled", with(nil, "OTEL_EXPORTER_OTLP_ENDPOINT", "http://collector:4318", "OTEL_SDK_DISABLED", "true"), nil,
			Observability{MetricsPublic: true, SlowOperation: 500 * time.Millisecond, TracingProtocol: "http/protobuf"}},
		{"ExporterNone", with(nil, "OTEL_EXPORTER_OTLP_ENDPOINT", "http://collector:4318", "OTEL_TRACES_EXPORTER", "none"), nil,
			Observability{MetricsPublic: true, SlowOperation: 500 * time.Millisecond, TracingProtocol: "http/protobuf"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := load(tt.env, tt.args...)
			require.NoError(t, err)
			require.Equal(t, tt.want, c.Observability)
		})
	}
}

func TestObservabilityMalformed(t *testing.T) {
	cases := []struct{ key, value, want string }{
		{"VITRINE_SLOW_OPERATION", "slow", "VITRINE_SLOW_OPERATION"},
		{"VITRINE_SLOW_OPERATION", "-1s", "VITRINE_SLOW_OPERATION"},
		{"VITRINE_METRICS_PUBLIC", "maybe", "VITRINE_METRICS_PUBLIC"},
		{"OTEL_SDK_DISABLED", "yes please", "OTEL_SDK_DISABLED"},
		{"OTEL_EXPORTER_OTLP_ENDPOINT", "collector:4318", "OTEL_EXPORTER_OTLP_ENDPOINT must be a URL"},
		{"OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "ftp://collector", "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT must be a URL"},
		{"OTEL_EXPORTER_OTLP_PROTOCOL", "http/json", `OTEL_EXPORTER_OTLP_PROTOCOL: "http/json" is not supported`},
		{"OTEL_EXPORTER_OTLP_TRACES_PROTOCOL", "thrift", "OTEL_EXPORTER_OTLP_TRACES_PROTOCOL"},
		{"OTEL_TRACES_EXPORTER", "zipkin", "OTEL_TRACES_EXPORTER"},
	}
	for _, c := range cases {
		t.Run(c.key+"="+c.value, func(t *testing.T) {
			_, err := load(map[string]string{c.key: c.value})
			require.ErrorContains(t, err, c.want)
		})
	}
}
