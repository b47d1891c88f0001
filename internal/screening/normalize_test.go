package screening

import (
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"
)

func TestTokens(t *testing.T) {
	tests := []struct {
		in   string
		want []string
	}{
		// Case, diacritics, punctuation.
		{"Müller-Lüdenscheidt", []string{"muller", "ludenscheidt"}},
		{"O'Neil", []string{"oneil"}},
		{"D’Souza", []string{"dsouza"}},
		{"Đặng Thị Ngọc", []string{"dang", "thi", "ngoc"}},
		{"Straße", []string{"strasse"}},
		{"Søren Kierkegaard", []string{"soren", "kierkegaard"}},
		{"Łukasz Żółć", []string{"lukasz", "zolc"}},
		{"ＡＢＣ　Ｌｔｄ", []string{"abc", "ltd"}}, // NFKD folds full-width forms
		{"S.A. de C.V.", []string{"sa", "de", "cv"}},
		{"J. R. Smith", []string{"j", "r", "smith"}},
		{"  ", nil},
		// Cyrillic, ICAO 9303.
		{"Владимир Путин", []string{"vladimir", "putin"}},
		{"Юрий Хорошковский", []string{"iurii", "khoroshkovskii"}},
		{"Щербаков", []string{"shcherbakov"}},
		{"Жанна Цой", []string{"zhanna", "tsoi"}},
		{"Ким Хёк", []string{"kim", "khyok"}}, // ё as BGN/PCGN yo
		{"Олександр Ґудзь", []string{"oleksandr", "gudz"}},
		{"ООО «Ромашка»", []string{"ooo", "romashka"}},
		// Greek, ELOT 743 (χ as kh).
		{"Σωκράτης Παπαδόπουλος", []string{"sokratis", "papadopoulos"}},
		{"Γιώργος Μπακογιάννης", []string{"giorgos", "bakogiannis"}},
		{"Ευάγγελος", []string{"evangelos"}},
		{"Αντώνης", []string{"andonis"}},
		{"Ντίνος Χατζής", []string{"dinos", "khajis"}}, // τζ as j
		{"Ευθύμιος", []string{"efthymios"}},
		// Arabic: consonants and long vowels, article apart, letters folded.
		{"صدام حسين", []string{"sdam", "hsin"}},
		{"عبد الرحمن", []string{"abd", "al", "rhmn"}},
		{"أسامة بن لادن", []string{"asama", "bn", "ladn"}},
		{"خالد", []string{"hald"}},
		{"علي", []string{"ali"}},
		{"١٢٣", []string{"123"}},
		// Other scripts stay as they are.
		{"金正恩", []string{"金正恩"}},
	}
	for _, tt := range tests {
		if got := Tokens(tt.in); !cmp.Equal(got, tt.want, cmpEmpty) {
			t.Errorf("Tokens(%q) = %q; want %q", tt.in, got, tt.want)
		}
	}
}

var cmpEmpty = cmp.Comparer(func(a, b []string) bool {
	return len(a) == len(b) && (len(a) == 0 || strings.Join(a, "\x00") == strings.Join(b, "\x00"))
})

func TestNormalize(t *testing.T) {
	tests := []struct{ in, want string }{
		// Legal forms, honorifics, connectors.
		{"Bank Melli Iran PJSC", "bank meli iran"},
		{"OOO Romashka", "romashka"},
		{"Shenzhen Huaxin Electronics Co., Ltd.", "shenjen huaksin elektroniks"},
		{"GRUPO INDUSTRIAL S.A. DE C.V.", "grupo industrial"},
		{"Bank of Kunlun", "bank kunlun"},
		{"Dr. Ayman al-Zawahiri", "aiman al zavahiri"},
		{"Mullah Mohammad Omar", "muhamad umar"},
		{"LLC", "lk"}, // nothing but a legal form: kept
		// Spelling variants.
		{"Yevgeniy Khodorkovskiy", "evgeni hodorkovski"},
		{"Evgeny Hodorkovsky", "evgeni hodorkovski"},
		{"Sergej", "sergei"},
		{"Sergey", "sergei"},
		{"Jurij", "juri"},
		{"Yuriy", "juri"},
		{"Mohammed Yusuf", "muhamad iusuf"},
		{"Muhammad Youssef", "muhamad iusuf"},
		{"Mohd Yousef", "muhamad iusuf"},
		{"Usama", "usama"},
		{"Osama", "usama"},
		{"Hussein", "husain"},
		{"Husayn", "husain"},
		{"Xavier Cecilia Chavez", "ksavier sesilia chavez"},
		{"Wiji Joko", "viji joko"},
		// Abd al, however written.
		{"Abdul Rahman", "abdal rahman"},
		{"Abd al-Rahman", "abdal rahman"},
		{"Abdurrahman", "abdal rahman"},
		{"Abdel Kader", "abdal kader"},
		{"Abdullah", "abdulah"},
		// Particles.
		{"Usama bin Laden", "usama bin laden"},
		{"Abu Bakr el-Baghdadi", "abu bakr al bagdadi"},
		// Scripts.
		{"Владимир Путин", "vladimir putin"},
		{"عبد الرحمن", "abdal rhmn"},
		{"Ευάγγελος", "evangelos"},
	}
	for _, tt := range tests {
		if got := Normalize(tt.in); got != tt.want {
			t.Errorf("Normalize(%q) = %q; want %q", tt.in, got, tt.want)
		}
	}
}

func TestNormalizeKinds(t *testing.T) {
	tests := []struct {
		in   string
		kind Kind
		want []string // text/class
	}{
		{"KO CHOL", KindIndividual, []string{"ko", "chol"}},
		{"CHOL KO", KindIndividual, []string{"chol", "ko"}},
		{"CHOL KO", KindEntity, []string{"chol"}},
		{"CHOL KO", KindUnknown, []string{"chol", "ko/legal"}},
		{"Acme Trading LLC", KindUnknown, []string{"akme", "trading", "lk/legal"}},
		{"V. Putin", KindUnknown, []string{"v/initial", "putin"}},
		{"Abu Ali", KindUnknown, []string{"abu/particle", "ali"}},
	}
	for _, tt := range tests {
		var got []string
		for _, tok := range normalizeName(tt.in, nil, tt.kind) {
			s := tok.text
			switch tok.class {
			case classLegal:
				s += "/legal"
			case classInitial:
				s += "/initial"
			case classParticle:
				s += "/particle"
			}
			got = append(got, s)
		}
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("normalizeName(%q, %v) (-want +got):\n%s", tt.in, tt.kind, diff)
		}
	}
}

func TestFold(t *testing.T) {
	tests := []struct{ in, want string }{
		{"khodorkovskiy", "hodorkovski"},
		{"shcherbakov", "sherbakov"},
		{"schmidt", "shmidt"},
		{"dzhamal", "jamal"},
		{"djamal", "jamal"},
		{"zhukov", "jukov"},
		{"philipp", "filip"},
		{"thomas", "tomas"},
		{"ghulam", "gulam"},
		{"qasim", "kasim"},
		{"mohammed", "mohamed"},
		{"yevgeny", "evgeni"},
		{"sergej", "sergei"},
		{"mojtaba", "moitaba"},
		{"hojati", "hojati"},
		{"alexander", "aleksander"},
		{"cecilia", "sesilia"},
		{"carlos", "karlos"},
		{"chavez", "chavez"},
		{"woodrow", "vudrov"},
		{"seitz", "seits"},
		{"beatrice", "beatrise"},
	}
	for _, tt := range tests {
		if got := fold(tt.in); got != tt.want {
			t.Errorf("fold(%q) = %q; want %q", tt.in, got, tt.want)
		}
	}
}

func TestSkeleton(t *testing.T) {
	tests := []struct{ in, want string }{
		{"muhamad", "mhmd"},
		{"usama", "*sm"},
		{"husain", "hsn"},
		{"tikriti", "tkrt"},
		{"a", "*"},
		{"", ""},
	}
	for _, tt := range tests {
		if got := skeleton(tt.in); got != tt.want {
			t.Errorf("skeleton(%q) = %q; want %q", tt.in, got, tt.want)
		}
	}
}

func TestJaroWinkler(t *testing.T) {
	// The usual examples (Winkler 1990: MARTHA/MARHTA 0.961, DWAYNE/DUANE
	// 0.840, DIXON/DICKSONX 0.813), ×1000; the integer arithmetic
	// truncates Jaro before adding the prefix bonus, hence one less.
	tests := []struct {
		a, b string
		want int
	}{
		{"martha", "marhta", 960},
		{"dwayne", "duane", 839},
		{"dixon", "dicksonx", 812},
		{"jones", "johnson", 832},
		{"abc", "abc", 1000},
		{"abc", "xyz", 0},
		{"", "abc", 0},
	}
	for _, tt := range tests {
		if got := jaroWinkler(tt.a, tt.b); got != tt.want {
			t.Errorf("jaroWinkler(%q, %q) = %d; want %d", tt.a, tt.b, got, tt.want)
		}
		if got := jaroWinkler(tt.b, tt.a); got != tt.want {
			t.Errorf("jaroWinkler(%q, %q) = %d; want %d (symmetric)", tt.b, tt.a, got, tt.want)
		}
	}
}

func TestEditDistance(t *testing.T) {
	tests := []struct {
		a, b string
		want int
	}{
		{"korporation", "krporation", 1},
		{"abdullah", "adbullah", 1},
		{"kitten", "sitting", 3},
		{"ca", "abc", 3}, // optimal string alignment, not full Damerau
		{"", "abc", 3},
		{"same", "same", 0},
	}
	for _, tt := range tests {
		if got := osaDistance(tt.a, tt.b); got != tt.want {
			t.Errorf("osaDistance(%q, %q) = %d; want %d", tt.a, tt.b, got, tt.want)
		}
		if got, want := withinOneEdit(tt.a, tt.b), tt.want <= 1; got != want {
			t.Errorf("withinOneEdit(%q, %q) = %v; want %v", tt.a, tt.b, got, want)
		}
	}
	if got := editSim("korporation", "krporation"); got != 910 {
		t.Errorf("editSim(korporation, krporation) = %d; want 910", got)
	}
}

// FuzzNormalize checks that normalisation never panics, yields lower-case
// letters and digits only, is deterministic, and agrees with Tokens.
func FuzzNormalize(f *testing.F) {
	for _, s := range []string{"Müller-Lüdenscheidt", "Владимир Путин", "صدام حسين التكريتي", "Ευάγγελος", "S.A. de C.V.", "Abd al-Rahman", "\xff\xfe", "ё\u0308", "ـــ"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n := Normalize(s)
		if n != Normalize(s) {
			t.Fatalf("Normalize(%q) is not deterministic", s)
		}
		for _, r := range n {
			if r != ' ' && !unicode.IsLetter(r) && !unicode.IsDigit(r) || unicode.IsUpper(r) {
				t.Fatalf("Normalize(%q) = %q: contains %q", s, n, r)
			}
		}
		if !utf8.ValidString(n) {
			t.Fatalf("Normalize(%q) = %q: not UTF-8", s, n)
		}
		if n != "" && len(Tokens(s)) == 0 {
			t.Fatalf("Normalize(%q) = %q but Tokens is empty", s, n)
		}
		for _, tok := range Tokens(s) {
			if tok == "" || strings.ContainsAny(tok, " \x01\x02") {
				t.Fatalf("Tokens(%q) has token %q", s, tok)
			}
		}
	})
}
