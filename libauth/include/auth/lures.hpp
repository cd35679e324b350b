// Lures: the wording scams put in mail, whoever sent it and however it authenticates (crypto
// airdrops and wallet "verification", advance fee, refunds, prizes, invoice callbacks, account
// threats, parcels held, passwords for attached files, dating, gambling and miracle-product spam),
// in the languages real phishing uses (English, Portuguese, Spanish, German, French, Dutch,
// Italian). Matching runs on folded text, so that look-alike letters, accents, letter spacing and
// invisible characters do not hide a phrase. Used by explain's profile-free rules.
#pragma once
#include <string>
#include <string_view>
#include <vector>

namespace auth {

// Text folded for matching: lower case; Latin accents dropped; Cyrillic and Greek letters that
// look Latin, mathematical alphanumeric symbols (U+1D400..U+1D7FF) and fullwidth forms mapped to
// the ASCII letters they imitate; a capital I inside a lower-case word read as l ("waIIet");
// invisible characters (zero-width, soft hyphen) dropped; whitespace runs become one space.
std::string fold_for_matching(std::string_view utf8);

// What fold_for_matching had to undo in a text: the evasion tricks, counted.
struct TextTricks {
    int lookalike_letters = 0;   // Cyrillic/Greek letters inside otherwise Latin words
    int math_letters = 0;        // mathematical bold/italic/script letters
    int invisible = 0;           // zero-width characters and soft hyphens inside words
    int spaced_words = 0;        // words written letter by letter ("C o n g r a t s")
};
TextTricks text_tricks(std::string_view utf8);

// One kind of lure found in a text: its id ("crypto", "advance-fee" ...), a short name, the
// phrases that matched (folded, distinct), and whether they make a strong case.
struct LureHit {
    std::string kind;
    std::string name;
    std::vector<std::string> cues;
    bool strong = false;
};

// The lures of a folded text (fold_for_matching), most cues first. `has_phone` says a phone
// number to call is in the message (the invoice-callback lure needs one).
std::vector<LureHit> find_lures(std::string_view folded, bool has_phone);
// The same, with the folded subject: a lure's phrase in the subject counts as two.
std::vector<LureHit> find_lures(std::string_view folded, bool has_phone, std::string_view folded_subject);

// Every lure kind with its name (for the rule list and the man page).
struct LureKind {
    const char* kind;
    const char* name;
};
const std::vector<LureKind>& lure_kinds();

}  // namespace auth
