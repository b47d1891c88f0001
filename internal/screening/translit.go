package screening

// Transliteration of Cyrillic, Greek and Arabic script into Latin letters.
//
// Each function receives one rune of text that has already been through
// Unicode NFKD with combining marks removed (so "й" arrives as "и", "ё" as
// "е", "ά" as "α", "أ" as "ا"), plus its neighbours for the few rules that
// depend on context, and returns lower-case ASCII.
//
// Cyrillic follows ICAO Doc 9303 (7th ed., 2015), the scheme in the machine
// readable zone of Russian, Ukrainian and other passports since 2013:
// х→kh, ц→ts, ч→ch, ш→sh, щ→shch, ж→zh, ю→iu, я→ia, ъ→ie, ы→y, й→i, ь
// dropped; ё, which ICAO writes e, is read as BGN/PCGN's "yo", since
// Korean and other foreign names written in Cyrillic depend on it
// ("Ким Хёк" is "Kim Hyok"). Other romanisations in use (BGN/PCGN "yu", "ya", "y" for й;
// ISO 9 "č", "š", "ž", "û" which lose their háček in NFKD; German "j",
// "sch"; French "ou") are reconciled not here but by fold, which maps
// y→i, j→i after a vowel, kh→h, zh→j, sch→sh, ou→u and collapses doubled
// letters, so "Yuriy", "Iurii", "Jurij" and "Юрий" meet. Ukrainian і, ї, є,
// ґ, Belarusian ў and the Serbian, Macedonian and Kazakh letters follow
// ICAO's tables as well.
//
// Greek follows ELOT 743 / ISO 843 (transcription, type 2): η→i, υ→y,
// ω→o, θ→th, ψ→ps, ξ→x, β→v, with the digraphs ου→ou, αυ/ευ/ηυ→av/ev/iv
// before vowels and voiced consonants and af/ef/if before voiceless ones
// and at the end, γγ→ng, γξ→nx, γχ→nkh, μπ→b at the start of a word and
// mb inside, ντ→d / nd, γκ→g / ng. Two deviations serve matching: χ→kh
// (as BGN/PCGN), which fold reads as h, because Greek writes the h and kh
// of foreign names with χ; and τζ→j, the foreign j that Greek has no
// letter for ("Τζαμάλ" is "Jamal").
//
// Arabic (and the Persian and Urdu letters) follows a simplified
// UNGEGN / BGN-PCGN 1956 romanisation without diacritics: ث→th, ح→h,
// خ→kh, ذ→dh, ش→sh, ص→s, ض→d, ط→t, ظ→z, ع at the start of a word → a
// and elsewhere dropped, ء dropped, غ→gh, ق→q, ة→a, ى→a, the definite
// article ال at the start of a word → "al" as a separate token. Each
// letter's romanisation is folded on its own (kh→h, th→t, q→k, ...; see
// fold), so that letters that meet do not form digraphs: ز+ح is "zh",
// not the "j" that fold makes of a Latin "zh". Short vowels are not written
// in Arabic script, so و and ي become "w"/"y" at the start of a word and
// "u"/"i" elsewhere, and tokens from Arabic script are marked so that the
// matcher compares them by consonant skeleton (see skeleton in
// normalize.go): "حسين" → "hsin" meets "Hussein" as "hsn".

// cyrillic maps a Cyrillic letter (lower case, after NFKD) to Latin.
var cyrillic = map[rune]string{
	'а': "a", 'б': "b", 'в': "v", 'г': "g", 'д': "d", 'е': "e", 'ж': "zh",
	'ё': "yo", 'з': "z", 'и': "i", 'к': "k", 'л': "l", 'м': "m", 'н': "n", 'о': "o",
	'п': "p", 'р': "r", 'с': "s", 'т': "t", 'у': "u", 'ф': "f", 'х': "kh",
	'ц': "ts", 'ч': "ch", 'ш': "sh", 'щ': "shch", 'ъ': "ie", 'ы': "y",
	'ь': "", 'э': "e", 'ю': "iu", 'я': "ia",
	// Ukrainian, Belarusian.
	'і': "i", 'є': "ie", 'ґ': "g",
	// Serbian, Macedonian.
	'ђ': "d", 'ј': "j", 'љ': "lj", 'њ': "nj", 'ћ': "c", 'џ': "dz", 'ѕ': "dz",
	// Kazakh, Kyrgyz, Tajik, Uzbek Cyrillic.
	'ә': "a", 'ғ': "g", 'қ': "k", 'ң': "n", 'ө': "o", 'ұ': "u", 'ү': "u",
	'һ': "h", 'ҳ': "kh", 'ҷ': "j", 'ӣ': "i", 'ӯ': "u",
}

// greek maps a Greek letter (lower case, after NFKD) to Latin, outside the
// digraph rules in transliterate.
var greek = map[rune]string{
	'α': "a", 'β': "v", 'γ': "g", 'δ': "d", 'ε': "e", 'ζ': "z", 'η': "i",
	'θ': "th", 'ι': "i", 'κ': "k", 'λ': "l", 'μ': "m", 'ν': "n", 'ξ': "x",
	'ο': "o", 'π': "p", 'ρ': "r", 'σ': "s", 'ς': "s", 'τ': "t", 'υ': "y",
	'φ': "f", 'χ': "kh", 'ψ': "ps", 'ω': "o", 'ϐ': "v", 'ϑ': "th", 'ϕ': "f",
}

// arabic maps an Arabic-script letter (after NFKD) to Latin, outside the
// context rules in transliterate. The empty string drops the letter.
var arabic = map[rune]string{
	'ا': "a", 'ب': "b", 'ت': "t", 'ث': "th", 'ج': "j", 'ح': "h", 'خ': "kh",
	'د': "d", 'ذ': "dh", 'ر': "r", 'ز': "z", 'س': "s", 'ش': "sh", 'ص': "s",
	'ض': "d", 'ط': "t", 'ظ': "z", 'ع': "", 'غ': "gh", 'ف': "f", 'ق': "q",
	'ك': "k", 'ل': "l", 'م': "m", 'ن': "n", 'ه': "h", 'ة': "a", 'ى': "a",
	'ء': "", 'ئ': "", 'ؤ': "", 'ٱ': "a", 'ـ': "",
	// Persian, Urdu, Pashto.
	'پ': "p", 'چ': "ch", 'ژ': "zh", 'گ': "g", 'ک': "k", 'ڭ': "ng", 'ں': "n",
	'ٹ': "t", 'ڈ': "d", 'ڑ': "r", 'ھ': "h", 'ہ': "h", 'ۀ': "h", 'ۃ': "a",
	'ے': "e",
	// و and ي (and Persian ی) are handled in transliterate.
}

func isGreek(r rune) bool    { return r >= 0x0370 && r <= 0x03FF || r >= 0x1F00 && r <= 0x1FFF }
func isCyrillic(r rune) bool { return r >= 0x0400 && r <= 0x052F }
func isArabic(r rune) bool {
	return r >= 0x0600 && r <= 0x06FF || r >= 0x0750 && r <= 0x077F || r >= 0xFB50 && r <= 0xFDFF || r >= 0xFE70 && r <= 0xFEFF
}

// greekVoiceless are the letters before which αυ, ευ, ηυ become af, ef, if.
func greekVoiceless(r rune) bool {
	switch r {
	case 'θ', 'κ', 'ξ', 'π', 'σ', 'ς', 'τ', 'φ', 'χ', 'ψ':
		return true
	}
	return false
}

func greekLetter(r rune) bool { return greek[r] != "" }

func arabicLetter(r rune) bool {
	_, ok := arabic[r]
	return ok || r == 'و' || r == 'ي' || r == 'ی' || r == 'ى'
}

// transliterateGreek appends the ELOT 743 rendering of rs[i] (and perhaps
// rs[i+1], which it then reports as consumed).
func transliterateGreek(b []byte, rs []rune, i int) ([]byte, int) {
	r := rs[i]
	var next rune
	if i+1 < len(rs) {
		next = rs[i+1]
	}
	wordStart := i == 0 || !greekLetter(rs[i-1])
	switch {
	case r == 'ο' && next == 'υ':
		return append(b, "ou"...), 2
	case (r == 'α' || r == 'ε' || r == 'η') && next == 'υ':
		var after rune
		if i+2 < len(rs) {
			after = rs[i+2]
		}
		b = append(b, greek[r]...)
		if !greekLetter(after) || greekVoiceless(after) {
			return append(b, 'f'), 2
		}
		return append(b, 'v'), 2
	case r == 'μ' && next == 'π':
		if wordStart {
			return append(b, 'b'), 2
		}
		return append(b, "mb"...), 2
	case r == 'ν' && next == 'τ':
		if wordStart {
			return append(b, 'd'), 2
		}
		return append(b, "nd"...), 2
	case r == 'τ' && next == 'ζ':
		return append(b, 'j'), 2
	case r == 'γ' && next == 'γ':
		return append(b, "ng"...), 2
	case r == 'γ' && next == 'κ':
		if wordStart {
			return append(b, 'g'), 2
		}
		return append(b, "ng"...), 2
	case r == 'γ' && next == 'ξ':
		return append(b, "nx"...), 2
	case r == 'γ' && next == 'χ':
		return append(b, "nkh"...), 2
	}
	return append(b, greek[r]...), 1
}

// transliterateArabic appends the rendering of rs[i] and reports how many
// runes it consumed.
func transliterateArabic(b []byte, rs []rune, i int) ([]byte, int) {
	r := rs[i]
	var prev, next rune
	if i > 0 {
		prev = rs[i-1]
	}
	if i+1 < len(rs) {
		next = rs[i+1]
	}
	wordStart := !arabicLetter(prev)
	switch r {
	case 'ا':
		// The definite article at the start of a word: "الترابي" → "al
		// turabi", written as its own token as Latin lists write "al-".
		if wordStart && next == 'ل' && i+3 < len(rs) && arabicLetter(rs[i+2]) && arabicLetter(rs[i+3]) {
			return append(b, "al "...), 2
		}
		return append(b, 'a'), 1
	case 'و':
		if wordStart || prev == 'ا' || next == 'ا' {
			return append(b, 'v'), 1 // w, folded
		}
		return append(b, 'u'), 1
	case 'ي', 'ی':
		return append(b, 'i'), 1 // y or i, folded
	case 'ة':
		if arabicLetter(next) {
			return append(b, "at"...), 1
		}
		return append(b, 'a'), 1
	}
	if r >= '٠' && r <= '٩' {
		return append(b, byte('0'+r-'٠')), 1
	}
	if r >= '۰' && r <= '۹' {
		return append(b, byte('0'+r-'۰')), 1
	}
	if r == 'ع' && wordStart {
		return append(b, 'a'), 1
	}
	if s, ok := arabic[r]; ok {
		return foldAppend(b, s), 1
	}
	return b, 1 // other Arabic-block marks and punctuation
}
