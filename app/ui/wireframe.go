package ui

import (
	"strconv"
	"time"

	"github.com/maxence-charriere/go-app/v10/pkg/app"

	"socketlab/app/msg"
)

// wireFrameList renders frame records as the server's decoder saw them,
// oldest first: the wire page's frame list and every inspector's "frames
// as the server saw them" (the same rows, so a learner reads one format).
// The classes are what the e2e tests read: li[data-n], .wf-fin,
// .wf-opcode, .wf-len7, .wf-extlen, .wf-maskkey, .wf-text, .wf-close,
// .wf-rsv1, .wf-inflated.
func wireFrameList(id string, frames []msg.WireFrame) app.UI {
	return app.Ol().ID(id).Class("wire-frames").TabIndex(0).Aria("label", "Frames as the server saw them, oldest first").Body(
		app.Range(frames).Slice(func(i int) app.UI { return wireFrameRow(frames[i]) }),
	)
}

var wireArrows = map[string]string{msg.WireIn: "↑", msg.WireOut: "↓"}

// wireFrameRow is one frame: its header field by field, how its length is
// written, its bytes and, where they apply, the masking key, the close
// payload and the inflated length.
func wireFrameRow(f msg.WireFrame) app.UI {
	at := time.UnixMicro(f.Time)
	what := f.OpName
	if what == "" {
		what = "reserved"
	}
	return app.Li().Class("wf", "wf-"+f.Dir).DataSet("n", f.N).Body(
		app.P().Class("wf-head").Body(
			app.Span().Class("wf-n").Text("#"+strconv.Itoa(f.N)),
			app.Span().Class("wf-dir").Body(
				app.Span().Aria("hidden", "true").Text(wireArrows[f.Dir]+" "),
				app.Text(dirLabel(f.Dir)),
			),
			app.Strong().Class("wf-what").Text(what+", "+spaced(f.Length)+" "+pluralNoun(int(min(f.Length, 2)), "byte")),
			app.Time().Class("wf-time", "muted").DateTime(at.UTC().Format(time.RFC3339Nano)).Text(at.Format("15:04:05.000000")),
		),
		app.Dl().Class("wf-fields").Body(
			wireField("FIN", "wf-fin", bit(f.FIN)),
			wireField("RSV1", "wf-rsv1", bit(f.RSV1)),
			wireField("RSV2", "wf-rsv2", bit(f.RSV2)),
			wireField("RSV3", "wf-rsv3", bit(f.RSV3)),
			wireField("opcode", "wf-opcode", opLabel(f)),
			wireField("MASK", "wf-mask", bit(f.Masked)),
			wireField("7-bit length", "wf-len7", strconv.Itoa(f.Len7)),
			wireField("extended length", "wf-extlen", extLenLabel(f)),
			wireField("payload length", "wf-length", spaced(f.Length)),
			app.If(f.Masked, func() app.UI { return wireField("masking key", "wf-maskkey", f.MaskKey) }),
			app.If(f.Opcode == 8, func() app.UI { return wireField("close", "wf-close", closeLabel(f)) }),
			app.If(f.Inflated > 0, func() app.UI { return wireField("permessage-deflate", "wf-inflated", inflatedLabel(f)) }),
		),
		app.P().Class("wf-lenwhy", "muted").Text(lengthWhy(f)),
		app.Dl().Class("wf-bytes").Body(
			wireField("header", "wf-header", f.Header),
			app.If(f.Raw != "", func() app.UI {
				label := "payload"
				if f.Masked {
					label = "payload as sent (masked)"
				}
				return wireField(label, "wf-raw", f.Raw+more(f))
			}),
			app.If(f.Masked && f.Unmasked != "", func() app.UI {
				return wireField("unmasked", "wf-unmasked", f.Unmasked+more(f))
			}),
			app.If(f.Text != "", func() app.UI { return wireField("as text", "wf-text", f.Text) }),
		),
	)
}

// wireField is one term and its value in a frame row.
func wireField(term, class, value string) app.UI {
	return app.Div().Body(
		app.Dt().Text(term),
		app.Dd().Class(class).Text(value),
	)
}

// more marks a payload shown only in part.
func more(f msg.WireFrame) string {
	if f.Length > msg.WirePayloadShown {
		return " …"
	}
	return ""
}
