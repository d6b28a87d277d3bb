package apperr_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/vitrinehq/vitrine/internal/apperr"
	"github.com/vitrinehq/vitrine/internal/persisted"
	"github.com/vitrinehq/vitrine/internal/ratelimit"
)

func TestClassOf(t *testing.T) {
	tests := []struct {
		code apperr.Code
		want apperr.Class
	}{
		{apperr.Internal, apperr.ClassServer},
		{apperr.Timeout, apperr.ClassTimeout},
		{apperr.QueryTooComplex, apperr.ClassRejected},
		{apperr.QueryTooDeep, apperr.ClassRejected},
		{apperr.PayloadTooLarge, apperr.ClassRejected},
		{ratelimit.CodeRateLimited, apperr.ClassRejected},
		{apperr.Throttled, apperr.ClassRejected},
		{apperr.Code(persisted.CodeNotAllowed), apperr.ClassRejected},
		{apperr.BadInput, apperr.ClassClient},
		{apperr.Unauthenticated, apperr.ClassClient},
		{"GRAPHQL_VALIDATION_FAILED", apperr.ClassClient},
		{apperr.UnsupportedMedia, apperr.ClassClient},
	}
	for _, tt := range tests {
		t.Run(string(tt.code), func(t *testing.T) {
			require.Equal(t, tt.want, apperr.ClassOf(tt.code))
		})
	}
	require.True(t, apperr.ClassServer.Worse(apperr.ClassTimeout))
	require.True(t, apperr.ClassRejected.Worse(apperr.ClassClient))
	require.False(t, apperr.ClassClient.Worse(apperr.ClassClient))
}
