package graph_test

import (
	"bufio"
	"encoding/binary"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/vitrinehq/vitrine/internal/relay"
	"github.com/vitrinehq/vitrine/internal/store"
	"github.com/vitrinehq/vitrine/internal/storetest"
)

// A client may send its first messages in the same packets as its upgrade request, and several
// messages at once, larger than the server's connection buffer. Whatever of them the server has
// already received — in net/http's reader, in its own buffer or in the socket — is answered at
// once, not when the next packet happens to arrive.
func TestSubscriptionPipelinedFrames(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		fx := loadFixture(t, st.Client)
		s := newLiveServer(t, st, liveOptions{})
		conn, err := net.Dial("tcp", strings.TrimPrefix(s.url, "http://"))
		require.NoError(t, err)
		t.Cleanup(func() { _ = conn.Close() })
		require.NoError(t, conn.SetDeadline(time.Now().Add(10*time.Second)))

		// A subscription document of 3 kB (a comment pads it), many times the connection's read buffer.
		doc := summaryDoc + "\n# " + strings.Repeat("padding ", 400)
		subscribe, err := json.Marshal(map[string]any{"id": "1", "type": "subscribe",
			"payload": map[string]any{"query": doc, "variables": map[string]any{"p": relay.Encode(fx.products[1].ID)}}})
		require.NoError(t, err)
		var out []byte
		out = append(out, "GET /graphql HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"+
			"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"+
			"Sec-WebSocket-Protocol: graphql-transport-ws\r\n\r\n"...)
		out = appendClientFrame(out, []byte(`{"type":"connection_init"}`))
		out = appendClientFrame(out, subscribe)
		out = appendClientFrame(out, []byte(`{"type":"ping"}`))
		_, err = conn.Write(out)
		require.NoError(t, err)

		br := bufio.NewReader(conn)
		resp, err := http.ReadResponse(br, nil)
		require.NoError(t, err)
		require.Equal(t, http.StatusSwitchingProtocols, resp.StatusCode)
		require.Equal(t, `{"type":"connection_ack"}`, readServerFrame(t, br))
		require.Equal(t, `{"type":"pong"}`, readServerFrame(t, br))
		// The subscription starts on its own goroutine (it checks the product first): rate once
		// it listens.
		require.Eventually(t, func() bool { return s.broker.Stats().Subscribers > 0 }, 5*time.Second, 5*time.Millisecond)

		rater := s.as(s.token(t, fx.users[1].ID))
		rater.MustData(t, &struct{}{}, `mutation($p: ID!) { rateProduct(productID: $p, stars: 4) { stars } }`,
			map[string]any{"p": relay.Encode(fx.products[1].ID)})
		var next struct {
			ID, Type string
			Payload  struct {
				Data struct{ RatingSummaryChanged struct{ Count int } }
			}
		}
		require.NoError(t, json.Unmarshal([]byte(readServerFrame(t, br)), &next))
		require.Equal(t, "next", next.Type)
		require.Equal(t, "1", next.ID)
		require.Positive(t, next.Payload.Data.RatingSummaryChanged.Count)
	})
}

// appendClientFrame appends a final, masked text frame holding payload.
func appendClientFrame(out, payload []byte) []byte {
	out = append(out, 0x81)
	switch n := len(payload); {
	case n < 126:
		out = append(out, 0x80|byte(n))
	default:
		out = append(out, 0x80|126)
		out = binary.BigEndian.AppendUint16(out, uint16(n))
	}
	mask := [4]byte{1, 2, 3, 4}
	out = append(out, mask[:]...)
	for i, b := range payload {
		out = append(out, b^mask[i%4])
	}
	return out
}

// readServerFrame reads one unfragmented, unmasked text frame and returns its payload.
func readServerFrame(t *testing.T, br *bufio.Reader) string {
	t.Helper()
	var head [2]byte
	_, err := io.ReadFull(br, head[:])
	require.NoError(t, err)
	require.Equal(t, byte(0x81), head[0], "a final text frame")
	n := int(head[1] & 0x7f)
	switch n {
	case 126:
		var ext [2]byte
		_, err = io.ReadFull(br, ext[:])
		n = int(binary.BigEndian.Uint16(ext[:]))
	case 127:
		var ext [8]byte
		_, err = io.ReadFull(br, ext[:])
		n = int(binary.BigEndian.Uint64(ext[:]))
	}
	require.NoError(t, err)
	payload := make([]byte, n)
	_, err = io.ReadFull(br, payload)
	require.NoError(t, err)
	return string(payload)
}
