package reports

import (
	"fmt"
	"image/color"
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
)

// Colours that mean different things look different: ΔE (CIE76, on the white page)
// above 20 is two clearly different colours, under 10 a near match.
func TestPaletteKeepsMeaningsApart(t *testing.T) {
	errorsAt := []string{"400", "404", "409", "429", "500", "502", "503", "504", "0"}
	shading := map[string]color.Color{"fault band": faultFill, "fault hatching": faultHatch, "recovery": recoveryColor}
	type pair struct {
		a, b string
		min  float64
	}
	var pairs []pair
	pairs = append(pairs, pair{"200", "201", 25}, pair{"200", "202", 20}, pair{"201", "204", 10})
	for _, e := range errorsAt {
		for _, ok := range []string{"200", "201", "202", "204"} {
			pairs = append(pairs, pair{ok, e, 25}) // answers apart from errors
		}
	}
	for i, a := range []string{"500", "502", "503", "504", "0"} { // 5xx and transport apart
		for _, b := range []string{"500", "502", "503", "504", "0"}[i+1:] {
			pairs = append(pairs, pair{a, b, 20})
		}
	}
	for _, a := range []string{"400", "404", "409", "429"} { // 4xx apart from 5xx and transport
		for _, b := range []string{"500", "502", "503", "504", "0"} {
			pairs = append(pairs, pair{a, b, 15})
		}
	}
	for _, p := range pairs {
		t.Run(p.a+" vs "+p.b, func(t *testing.T) {
			d := colorDistance(codeColor(p.a, 0), codeColor(p.b, 0))
			assert.Greater(t, d, p.min, "ΔE %.1f", d)
		})
	}
	// No error colour can be read as fault or recovery shading, nor the breach rings.
	for name, shade := range shading {
		for _, e := range errorsAt {
			t.Run(e+" vs "+name, func(t *testing.T) {
				d := colorDistance(codeColor(e, 0), shade)
				assert.Greater(t, d, 30.0, "ΔE %.1f", d)
			})
		}
		t.Run("breach ring vs "+name, func(t *testing.T) {
			assert.Greater(t, colorDistance(breachColor, shade), 30.0)
		})
	}
	// The percentile lines are one family, each step clearly apart, and none red.
	for _, q := range [][2]float64{{50, 95}, {95, 99}} {
		d := colorDistance(percentileColors[q[0]], percentileColors[q[1]])
		assert.Greater(t, d, 20.0, "p%g vs p%g: ΔE %.1f", q[0], q[1], d)
	}
	for q, c := range percentileColors {
		assert.Greater(t, colorDistance(c, breachColor), 40.0, "p%g vs the breach rings", q)
	}
	// Class colours are none of them red, so a class line never reads as errors.
	for i, c := range categorical {
		assert.Greater(t, colorDistance(c, errorColor), 25.0, "categorical colour %d vs errors", i)
	}
}

func TestColorDistance(t *testing.T) {
	tests := []struct {
		name     string
		a, b     color.Color
		min, max float64
	}{
		{"same colour", color.NRGBA{R: 10, G: 20, B: 30, A: 255}, color.NRGBA{R: 10, G: 20, B: 30, A: 255}, 0, 0.001},
		{"black and white", color.Black, color.White, 99, 101},
		{"the old 200 and 201: too near", color.NRGBA{R: 60, G: 160, B: 80, A: 200}, color.NRGBA{R: 90, G: 160, B: 110, A: 200}, 0, 20},
		{"transparent is the page", color.NRGBA{R: 255, A: 0}, color.White, 0, 0.001},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := colorDistance(tt.a, tt.b)
			assert.GreaterOrEqual(t, d, tt.min)
			assert.LessOrEqual(t, d, tt.max)
		})
	}
}

// Uncommon codes of a family take its spare shades in turn: 206 and 207 differ.
func TestUncommonCodesDiffer(t *testing.T) {
	colors := codeColorsFor([]string{"200", "206", "207", "418", "599", "0"})
	seen := map[color.NRGBA]string{}
	for code, c := range colors {
		if other, ok := seen[c]; ok {
			t.Errorf("%s and %s share %v", code, other, c)
		}
		seen[c] = code
	}
	assert.Equal(t, codeColors["200"], colors["200"])
	assert.Equal(t, otherCodeColor, codeColor("abc", 0), fmt.Sprint(codeColor("abc", 0)))
}

// Shading is neutral or cool, errors warm (or black): a fault window can never be read
// as a band of errors, as the old translucent red could.
func TestShadingIsNotWarm(t *testing.T) {
	warm := func(h float64) bool { return h < 110 || h > 330 } // reds, oranges, ambers, yellows
	type check struct {
		name string
		c    color.Color
		ok   func(l, chroma, hue float64) bool
		what string
	}
	neutral := func(_, c, _ float64) bool { return c < 5 }
	tests := []check{
		{"fault band", faultFill, neutral, "neutral"},
		{"fault hatching", faultHatch, neutral, "neutral"},
		{"recovery", recoveryColor, func(_, _, h float64) bool { return !warm(h) }, "cool"},
		{"the old fault red", color.NRGBA{R: 230, G: 80, B: 60, A: 50}, func(l, c, h float64) bool { return !neutral(l, c, h) }, "not neutral (the check catches it)"},
		{"the old recovery amber", color.NRGBA{R: 240, G: 180, B: 40, A: 60}, func(_, _, h float64) bool { return warm(h) }, "warm (the check catches it)"},
		{"transport", codeColor("0", 0), func(l, _, _ float64) bool { return l < 25 }, "near-black"},
	}
	for _, code := range []string{"400", "404", "409", "429", "500", "502", "503", "504"} {
		tests = append(tests, check{code, codeColor(code, 0), func(_, c, h float64) bool { return c > 30 && warm(h) }, "a strong warm colour"})
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := lab(onWhite(tt.c))
			hue := math.Mod(math.Atan2(v[2], v[1])*180/math.Pi+360, 360)
			chroma := math.Hypot(v[1], v[2])
			assert.True(t, tt.ok(v[0], chroma, hue), "%s should be %s: L %.0f, chroma %.0f, hue %.0f°", tt.name, tt.what, v[0], chroma, hue)
		})
	}
}
