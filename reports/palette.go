package reports

import (
	"image/color"
	"math"
	"strconv"
)

// The palette: every colour a figure uses is defined here, so that a meaning keeps its
// colour across figures and no two meanings share one. The rules:
//
//   - answers (2xx) are greens, each code a clearly different green;
//   - errors are warm: 4xx oranges and ambers, 5xx reds and raspberries, and a transport
//     error or timeout (no status at all) near-black;
//   - the time the system was disturbed is neutral: a fault window is grey hatching on a
//     light grey band, the recovery after it a pale blue band — neither can be read as
//     an error colour;
//   - request classes and plan entries take a categorical set without red, so that a
//     class line is never mistaken for errors.
var (
	// Shading of time spans, drawn across a panel's height.
	faultFill     = color.NRGBA{R: 90, G: 90, B: 90, A: 34}    // a light grey band...
	faultHatch    = color.NRGBA{R: 80, G: 80, B: 80, A: 150}   // ...hatched in grey
	recoveryColor = color.NRGBA{R: 120, G: 170, B: 225, A: 70} // pale blue

	// Lines.
	limitColor     = color.Black                                // an objective's limit, dashed
	breachColor    = color.NRGBA{R: 213, G: 0, B: 0, A: 255}    // rings on windows that broke an objective
	intendedColor  = color.Gray{Y: 110}                         // what the curve asked for, dashed
	achievedColor  = color.NRGBA{R: 31, G: 119, B: 180, A: 255} // what was sent
	errorColor     = color.NRGBA{R: 200, G: 30, B: 30, A: 255}  // failed requests
	lateColor      = color.NRGBA{R: 239, G: 108, B: 0, A: 255}  // late sends
	droppedColor   = color.NRGBA{R: 127, G: 0, B: 0, A: 255}    // dropped arrivals
	budgetColor    = color.NRGBA{R: 123, G: 31, B: 162, A: 255} // error budget
	markerColor    = color.NRGBA{R: 90, G: 90, B: 90, A: 255}   // the plan's event markers
	planTotalColor = color.Black                                // the plan's total rate
	gridColor      = color.Gray{Y: 220}                         // grid lines
)

// percentileColors: p50, p95 and p99 of a class are one family of blues, light to dark,
// so the red rings of broken windows stand out on them.
var percentileColors = map[float64]color.Color{
	50: color.NRGBA{R: 140, G: 192, B: 228, A: 255},
	95: color.NRGBA{R: 33, G: 113, B: 181, A: 255},
	99: color.NRGBA{R: 8, G: 40, B: 100, A: 255},
}

// categorical colours request classes, plan entries and kinds of fault: distinct hues,
// none of them red.
var categorical = []color.Color{
	color.NRGBA{R: 31, G: 119, B: 180, A: 255},  // blue
	color.NRGBA{R: 44, G: 160, B: 44, A: 255},   // green
	color.NRGBA{R: 255, G: 127, B: 14, A: 255},  // orange
	color.NRGBA{R: 148, G: 103, B: 189, A: 255}, // purple
	color.NRGBA{R: 140, G: 86, B: 75, A: 255},   // brown
	color.NRGBA{R: 23, G: 190, B: 207, A: 255},  // cyan
	color.NRGBA{R: 227, G: 119, B: 194, A: 255}, // pink
	color.NRGBA{R: 188, G: 189, B: 34, A: 255},  // olive
	color.NRGBA{R: 127, G: 127, B: 127, A: 255}, // grey
}

// faultKindColors colour the kinds of fault on the fault timeline: sober tones, neither
// an error red nor an answer green.
var faultKindColors = []color.Color{
	color.NRGBA{R: 84, G: 110, B: 122, A: 255}, // blue grey
	color.NRGBA{R: 123, G: 31, B: 162, A: 255}, // purple
	color.NRGBA{R: 141, G: 110, B: 99, A: 255}, // brown grey
	color.NRGBA{R: 57, G: 73, B: 171, A: 255},  // indigo
	color.NRGBA{R: 66, G: 66, B: 66, A: 255},   // dark grey
}

// categoricalColor is the i-th categorical colour; past the end it starts again.
func categoricalColor(i int) color.Color { return categorical[i%len(categorical)] }

// Status codes. The common codes have fixed colours, so a 503 is the same red in every
// run; other codes of a family take the family's spare shades in turn.
var (
	codeColors = map[string]color.NRGBA{
		"200": {R: 46, G: 125, B: 50, A: 255},   // green
		"201": {R: 156, G: 204, B: 101, A: 255}, // light yellow-green
		"202": {R: 0, G: 137, B: 123, A: 255},   // teal
		"204": {R: 200, G: 230, B: 165, A: 255}, // pale green
		"400": {R: 239, G: 108, B: 0, A: 255},   // orange
		"401": {R: 255, G: 183, B: 77, A: 255},  // light orange
		"403": {R: 249, G: 168, B: 37, A: 255},  // mustard
		"404": {R: 255, G: 213, B: 79, A: 255},  // amber
		"409": {R: 255, G: 138, B: 101, A: 255}, // coral
		"429": {R: 191, G: 54, B: 12, A: 255},   // burnt orange
		"500": {R: 127, G: 0, B: 0, A: 255},     // dark red
		"502": {R: 240, G: 98, B: 146, A: 255},  // pink
		"503": {R: 229, G: 57, B: 53, A: 255},   // red
		"504": {R: 173, G: 20, B: 87, A: 255},   // raspberry
		"0":   {R: 33, G: 33, B: 33, A: 255},    // near-black: no answer at all
	}
	codeFamilies = map[byte][]color.NRGBA{
		'2': {{R: 27, G: 94, B: 32, A: 255}, {R: 129, G: 199, B: 132, A: 255}, {R: 85, G: 139, B: 47, A: 255}},
		'3': {{R: 94, G: 53, B: 177, A: 255}, {R: 179, G: 157, B: 219, A: 255}, {R: 57, G: 73, B: 171, A: 255}},
		'4': {{R: 245, G: 124, B: 0, A: 255}, {R: 255, G: 204, B: 128, A: 255}, {R: 230, G: 81, B: 0, A: 255}},
		'5': {{R: 183, G: 28, B: 28, A: 255}, {R: 239, G: 154, B: 154, A: 255}, {R: 136, G: 14, B: 79, A: 255}},
	}
	otherCodeColor = color.NRGBA{R: 150, G: 150, B: 150, A: 255}
)

// codeColor colours a status code: its own colour when it is a common one, else the
// k-th spare shade of its family (k counts the uncommon codes of that family seen so far).
func codeColor(code string, k int) color.NRGBA {
	if c, ok := codeColors[code]; ok {
		return c
	}
	if _, err := strconv.Atoi(code); err == nil && len(code) == 3 {
		if fam := codeFamilies[code[0]]; fam != nil {
			return fam[k%len(fam)]
		}
	}
	return otherCodeColor
}

// codeColorsFor colours the codes of one run, giving uncommon codes of a family
// different spare shades.
func codeColorsFor(codes []string) map[string]color.NRGBA {
	out := map[string]color.NRGBA{}
	spare := map[byte]int{}
	for _, c := range codes {
		k := 0
		if _, common := codeColors[c]; !common && c != "" {
			k = spare[c[0]]
			spare[c[0]]++
		}
		out[c] = codeColor(c, k)
	}
	return out
}

func withAlpha(c color.Color, a uint8) color.Color {
	r, g, b, _ := c.RGBA()
	return color.NRGBA{R: uint8(r >> 8), G: uint8(g >> 8), B: uint8(b >> 8), A: a}
}

// onWhite is how a colour looks drawn on the white page: translucent shading blended.
func onWhite(c color.Color) color.NRGBA {
	n := color.NRGBAModel.Convert(c).(color.NRGBA)
	a := float64(n.A) / 255
	mix := func(v uint8) uint8 { return uint8(math.Round(float64(v)*a + 255*(1-a))) }
	return color.NRGBA{R: mix(n.R), G: mix(n.G), B: mix(n.B), A: 255}
}

// colorDistance is how different two colours look on white: CIE76 ΔE in L*a*b*
// (about 2 is just noticeable, above 20 clearly different colours).
func colorDistance(a, b color.Color) float64 {
	la, lb := lab(onWhite(a)), lab(onWhite(b))
	return math.Sqrt((la[0]-lb[0])*(la[0]-lb[0]) + (la[1]-lb[1])*(la[1]-lb[1]) + (la[2]-lb[2])*(la[2]-lb[2]))
}

// lab converts an sRGB colour to CIE L*a*b* (D65).
func lab(c color.NRGBA) [3]float64 {
	lin := func(v uint8) float64 {
		s := float64(v) / 255
		if s <= 0.04045 {
			return s / 12.92
		}
		return math.Pow((s+0.055)/1.055, 2.4)
	}
	r, g, b := lin(c.R), lin(c.G), lin(c.B)
	x := (0.4124*r + 0.3576*g + 0.1805*b) / 0.95047
	y := 0.2126*r + 0.7152*g + 0.0722*b
	z := (0.0193*r + 0.1192*g + 0.9505*b) / 1.08883
	f := func(t float64) float64 {
		if t > 216.0/24389 {
			return math.Cbrt(t)
		}
		return (24389.0/27*t + 16) / 116
	}
	fx, fy, fz := f(x), f(y), f(z)
	return [3]float64{116*fy - 16, 500 * (fx - fy), 200 * (fy - fz)}
}
