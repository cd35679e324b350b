// Lures (auth/lures.hpp). The phrase lists were written from what real scams say (the phishing
// corpus the project measures on, read across all its receiver-DMARC groups) and from the public
// detection work on the same abuse: Sublime Security's open rules (sublime-security/sublime-rules:
// "Callback phishing via PayPal invoice", "Cryptocurrency airdrop/giveaway", "Advance fee fraud",
// "Fake shipping notification", "Attachment: password in body"), the FTC's and Europol's scam
// descriptions. Phrases are our own; none is one sample's text.
#include "auth/lures.hpp"

#include <algorithm>
#include <cstdint>
#include <set>

namespace auth {
namespace {

// UTF-8 decoding that never fails: a bad byte is returned as itself (0xFFFD-like, kept apart).
std::uint32_t next_cp(std::string_view s, std::size_t& i) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    int n = c < 0x80 ? 0 : (c >> 5) == 6 ? 1 : (c >> 4) == 14 ? 2 : (c >> 3) == 30 ? 3 : -1;
    if (n == 0) { ++i; return c; }
    if (n < 0 || i + n >= s.size()) { ++i; return 0xFFFD; }
    std::uint32_t cp = c & (0x3F >> n);
    for (int k = 1; k <= n; ++k) {
        unsigned char d = static_cast<unsigned char>(s[i + k]);
        if ((d & 0xC0) != 0x80) { ++i; return 0xFFFD; }
        cp = (cp << 6) | (d & 0x3F);
    }
    i += n + 1;
    return cp;
}

void put_utf8(std::string& out, std::uint32_t cp) {
    if (cp < 0x80) out += char(cp);
    else if (cp < 0x800) { out += char(0xC0 | (cp >> 6)); out += char(0x80 | (cp & 0x3F)); }
    else if (cp < 0x10000) { out += char(0xE0 | (cp >> 12)); out += char(0x80 | ((cp >> 6) & 0x3F)); out += char(0x80 | (cp & 0x3F)); }
    else { out += char(0xF0 | (cp >> 18)); out += char(0x80 | ((cp >> 12) & 0x3F)); out += char(0x80 | ((cp >> 6) & 0x3F)); out += char(0x80 | (cp & 0x3F)); }
}

bool invisible(std::uint32_t cp) {
    // Combining marks too: an overlay or accent on every letter ("C\u0337a\u0337rrefour") hides no letter.
    return cp == 0xAD || (cp >= 0x300 && cp <= 0x36F) || cp == 0x34F || (cp >= 0x200B && cp <= 0x200F) || (cp >= 0x2060 && cp <= 0x2064) || cp == 0xFEFF ||
           cp == 0x180E || cp == 0x061C;
}

bool space_like(std::uint32_t cp) {
    return cp == ' ' || cp == '\t' || cp == '\n' || cp == '\r' || cp == '\f' || cp == '\v' || cp == 0xA0 ||
           (cp >= 0x2000 && cp <= 0x200A) || cp == 0x202F || cp == 0x205F || cp == 0x3000;
}

// Latin-1 Supplement and Latin Extended-A letters to their base letter (lower case).
char latin_base(std::uint32_t cp) {
    static const char* l1 = "aaaaaaaceeeeiiiidnooooo*ouuuuyt*"   // U+00C0..U+00DF
                            "aaaaaaaceeeeiiiidnooooo/ouuuuyty";  // U+00E0..U+00FF
    if (cp >= 0xC0 && cp <= 0xFF) {
        char c = l1[cp - 0xC0];
        return (c == '*' || c == '/') ? 0 : c;
    }
    static const char* ea = "aaaaaaccccccccddddeeeeeeeeeegggggggghhhhiiiiiiiiiiiijjkkkllllllllllnnnnnnnnnoooooooorrrrrrssssssssttttttuuuuuuuuuuuuwwyyyzzzzzzs";
    if (cp >= 0x100 && cp <= 0x17F) return ea[cp - 0x100];
    return 0;
}

// Letters of other scripts that look like Latin ones (UTS #39 confusables, the common subset).
char confusable_latin(std::uint32_t cp) {
    switch (cp) {
    // Cyrillic
    case 0x430: case 0x410: return 'a';
    case 0x432: case 0x412: return 'b';
    case 0x435: case 0x415: case 0x451: case 0x401: return 'e';
    case 0x43A: case 0x41A: return 'k';
    case 0x43C: case 0x41C: return 'm';
    case 0x43D: case 0x41D: return 'h';
    case 0x43E: case 0x41E: return 'o';
    case 0x440: case 0x420: return 'p';
    case 0x441: case 0x421: return 'c';
    case 0x442: case 0x422: return 't';
    case 0x443: case 0x423: return 'y';
    case 0x445: case 0x425: return 'x';
    case 0x456: case 0x406: return 'i';
    case 0x458: case 0x408: return 'j';
    case 0x455: case 0x405: return 's';
    case 0x501: return 'd';
    case 0x51B: return 'q';
    case 0x51D: return 'w';
    case 0x4BB: return 'h';
    case 0x4CF: return 'l';
    // Greek
    case 0x3B1: case 0x391: return 'a';
    case 0x392: case 0x3B2: return 'b';
    case 0x3B5: case 0x395: return 'e';
    case 0x396: return 'z';
    case 0x397: return 'h';
    case 0x3B9: case 0x399: return 'i';
    case 0x3BA: case 0x39A: return 'k';
    case 0x39C: return 'm';
    case 0x3BD: case 0x39D: return 'n';
    case 0x3BF: case 0x39F: return 'o';
    case 0x3C1: case 0x3A1: return 'p';
    case 0x3C4: case 0x3A4: return 't';
    case 0x3C5: case 0x3A5: return 'y';
    case 0x3C7: case 0x3A7: return 'x';
    // Latin letters of other blocks
    case 0x131: return 'i';
    case 0x237: return 'j';
    case 0x261: return 'g';
    case 0x1D00: return 'a';
    default: return 0;
    }
}

// Mathematical alphanumeric symbols (U+1D400..U+1D6A3 letters in 52-letter styles, digits at U+1D7CE).
char math_letter(std::uint32_t cp) {
    if (cp >= 0x1D400 && cp <= 0x1D6A3) {
        unsigned k = (cp - 0x1D400) % 52;
        return k < 26 ? char('a' + k) : char('a' + k - 26);
    }
    if (cp >= 0x1D7CE && cp <= 0x1D7FF) return char('0' + (cp - 0x1D7CE) % 10);
    // Letterlike symbols used as letters (script and double-struck capitals).
    switch (cp) {
    case 0x210E: return 'h'; case 0x2102: return 'c'; case 0x210D: return 'h'; case 0x2115: return 'n';
    case 0x2119: return 'p'; case 0x211A: return 'q'; case 0x211D: return 'r'; case 0x2124: return 'z';
    case 0x212F: return 'e'; case 0x2134: return 'o'; case 0x210A: return 'g'; case 0x2113: return 'l';
    default: return 0;
    }
}

bool ascii_letter(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool word_char(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); }

struct Folded {
    std::string text;
    TextTricks tricks;
};

Folded fold(std::string_view s) {
    Folded f;
    std::string& out = f.text;
    out.reserve(s.size());
    bool last_space = true;
    std::size_t i = 0;
    bool in_word_latin = false;  // the previous output char is an ASCII letter
    while (i < s.size()) {
        std::uint32_t cp = next_cp(s, i);
        if (invisible(cp)) {
            if (in_word_latin) ++f.tricks.invisible;
            continue;
        }
        if (space_like(cp)) {
            if (!last_space) out += ' ';
            last_space = true;
            in_word_latin = false;
            continue;
        }
        last_space = false;
        char c = 0;
        if (cp < 0x80) {
            c = char(cp);
            // A capital I inside a lower-case word is an l in disguise ("waIIet", "PayPaI").
            if (c == 'I' && !out.empty() && out.back() >= 'a' && out.back() <= 'z' && i < s.size() &&
                (ascii_letter(s[i]) || s[i] == 'I' || s[i] == ' ' || s[i] == '.' || s[i] == '!' || s[i] == ','))
                c = 'l';
            else if (c >= 'A' && c <= 'Z')
                c = char(c - 'A' + 'a');
        } else if (char b = latin_base(cp)) {
            c = b;
        } else if (char k = confusable_latin(cp)) {
            c = k;
            ++f.tricks.lookalike_letters;
        } else if (char m = math_letter(cp)) {
            c = m;
            ++f.tricks.math_letters;
        } else if (cp >= 0xFF01 && cp <= 0xFF5E) {
            c = char(cp - 0xFEE0);
            if (c >= 'A' && c <= 'Z') c = char(c - 'A' + 'a');
        } else if (cp == 0x2018 || cp == 0x2019 || cp == 0x2032) {
            c = '\'';
        } else if (cp == 0x201C || cp == 0x201D) {
            c = '"';
        } else if (cp == 0x2010 || cp == 0x2011 || cp == 0x2013 || cp == 0x2014) {
            c = '-';
        } else if (cp == 0xDF) {
            out += "ss";
            in_word_latin = true;
            continue;
        } else {
            put_utf8(out, cp);
            in_word_latin = false;
            continue;
        }
        out += c;
        in_word_latin = ascii_letter(c);
    }
    while (!out.empty() && out.back() == ' ') out.pop_back();
    return f;
}

// Lookalike letters only count as a trick inside a word that is otherwise Latin.
int lookalikes_in_latin_words(std::string_view s) {
    int n = 0;
    std::size_t i = 0;
    int latin = 0, look = 0;
    auto flush = [&] {
        if (latin > 0 && look > 0) n += look;
        latin = look = 0;
    };
    while (i < s.size()) {
        std::uint32_t cp = next_cp(s, i);
        if ((cp < 0x80 && ascii_letter(char(cp))) || math_letter(cp) || latin_base(cp)) ++latin;
        else if (confusable_latin(cp)) ++look;
        else if (cp >= 0x400 && cp <= 0x4FF) latin = -1000;  // a genuinely Cyrillic word
        else flush();
    }
    flush();
    return n;
}

// Runs of 4+ single-letter words ("D e a r", "C o n g r a t s") in folded text, joined.
std::vector<std::string> spaced_runs(const std::string& f, int* count) {
    std::vector<std::string> runs;
    std::string cur;
    int letters = 0;
    std::size_t i = 0;
    auto end_run = [&] {
        if (letters >= 4) {
            runs.push_back(cur);
            ++*count;
        }
        cur.clear();
        letters = 0;
    };
    while (i < f.size()) {
        std::size_t j = f.find(' ', i);
        if (j == std::string::npos) j = f.size();
        std::string_view tok(f.data() + i, j - i);
        // "d" "e" "a" "r" and, in spaced text, a word break shows as a lone punctuation mark.
        if (tok.size() == 1 && word_char(tok[0])) {
            cur += tok[0];
            ++letters;
        } else if (tok.size() == 2 && word_char(tok[0]) && !word_char(tok[1]) && letters > 0) {
            cur += tok[0];
            ++letters;
            end_run();
        } else {
            end_run();
        }
        i = j + 1;
    }
    end_run();
    return runs;
}

struct Category {
    const char* kind;
    const char* name;
    std::vector<const char*> strong;  // phrases that are the lure itself
    std::vector<const char*> weak;    // words of its topic
};

// clang-format off
const std::vector<Category>& categories() {
    static const std::vector<Category> c = {
        {"crypto", "a cryptocurrency lure (airdrop, staking reward, wallet or recovery-phrase \"verification\")",
         {"airdrop", "air drop", "seed phrase", "recovery phrase", "secret phrase", "secret recovery", "mnemonic phrase",
          "12-word", "24-word", "12 word", "24 word", "connect your wallet", "connect wallet", "wallet connect", "verify your wallet",
          "validate your wallet", "wallet verification", "wallet validation", "synchronize your wallet", "sync your wallet",
          "wallet will be", "wallet has been", "wallet has not", "unverified wallet", "claim your token", "claim your reward",
          "claim your airdrop", "claim your allocation", "token allocation", "tokens allocation", "staking reward",
          "staking program", "eligible for staking", "start staking", "liquid staking", "withdrawal of funds", "withdraw your",
          "withdrawal is awaiting", "pending withdrawal", "pending transaction", "free bitcoin", "free btc", "giving away",
          "giveaway", "cashback airdrop", "bitcoin transfer", "your bitcoin", "btc to your", "crypto wallet", "current balance is",
          "your balance", "distribution of", "claim now", "mint now", "free mint", "whitelist", "presale",
          "multiply bitcoin", "free crypto", "earn bitcoin", "mining balance", "withdraw process", "withdrawing digital assets"},
         {"wallet", "bitcoin", "btc", "ethereum", "eth", "usdt", "usdc", "tether", "crypto", "token", "staking", "stake", "nft",
          "defi", "blockchain", "metamask", "ledger", "trust wallet", "trustwallet", "binance", "coinbase", "xrp", "ripple",
          "dogecoin", "solana", "lido", "uniswap", "pancakeswap", "opensea", "web3", "dapp", "exchange", "kraken", "bybit",
          "kucoin", "phantom", "exodus", "celsius", "ftx", "satoshi"}},
        {"advance-fee", "an advance-fee fraud (a fortune, an inheritance or a fund transfer in return for a reply)",
         {"million dollars", "million us dollars", "million united states", "million usd", "usd$", "us$", "usd $", "million euro",
          "million pounds", "beneficiary", "next of kin", "inheritance", "late husband", "late father", "late wife", "my late",
          "deceased", "business proposal", "transfer the fund", "transfer the sum", "the sum of", "consignment box",
          "diplomat", "barrister", "compensation fund", "united nations", "atm card", "lucrative", "allocated fund",
          "unclaimed fund", "fund release", "release of your fund", "your full names", "your full name", "foreign partner",
          "strictly confidential", "next-of-kin", "charity work", "heranca", "emprestimo", "taxa de juros",
          "heritage", "erbschaft", "loan offer", "flexible loan", "investment partner", "partnership proposal", "donation of",
          "grant of", "have been selected for a grant", "i need your assistance", "your assistance to transfer", "mutual benefit",
          "dear beloved", "orphanage", "deposit fund", "urgent business", "business dealing", "business partnership",
          "handle a project", "friend request", "looking for your friendship", "gold exportation", "kindly get back",
          "humanitarian grant", "grant has been", "has been issued to you", "for quick claims", "claim your fund"},
         {"million", "fund", "funds", "transfer", "bank", "dollars", "donation", "grant", "proposal", "partner", "loan", "kindly",
          "project", "details", "dear friend", "my name is", "god bless", "consent",
          "reply", "cancer", "get back to me", "contact me", "my email", "urgent", "confidential", "investment", "invest", "interest rate"}},
        {"refund", "a refund or compensation lure (money waiting to be claimed)",
         {"refund", "reembolso", "restituicao", "restituir", "valores a receber", "valores pendentes", "valor a receber",
          "erstattung", "ruckerstattung", "remboursement", "terugbetaling", "rimborso", "compensation", "cashback",
          "cash back", "unclaimed", "tax return", "saldo disponivel", "credito em conta", "liberacao pendente",
          "pendentes de liberacao", "pending release", "has been released for", "funds have been released", "score has been released",
          "saldo pendente", "valores disponiveis", "credito disponivel",
          "reimbursement", "devolucion", "indemnizacao", "indenizacao", "entschadigung", "vergoeding"},
         {"claim", "eligible", "receive", "amount", "payment", "bank", "account", "pending", "release", "receber", "resgatar", "liberacao",
          "pix", "cpf", "tax", "irs", "hmrc", "receita", "within", "expire", "submit", "form", "details"}},
        {"prize", "a prize, reward or gift-card lure (\"you have been selected\", a gift waiting to be confirmed)",
         {"you have won", "you've won", "you won", "you have been selected", "you've been selected", "you have been chosen",
          "you were selected", "you are selected", "selected to receive", "been handpicked", "hand picked", "handpicked",
          "winner", "congratulations", "congrats", "gift card", "giftcard", "voucher", "free gift", "prize", "loyalty program",
          "loyalty reward", "exclusive reward", "your reward", "rewards for you", "reward is waiting", "claim your", "claim now",
          "claim here", "confirm to receive", "receive your", "gewonnen", "gewinnspiel", "gewinn", "gutschein", "gluckwunsch",
          "ausgewahlt", "auserwahlt", "cadeaukaart", "cadeaubon", "winnen", "gewonnen!", "gefeliciteerd", "proficiat",
          "premio", "premios", "sorteio", "sorteados", "voce foi selecionado", "foi selecionado", "parabens", "ganhe",
          "resgatar", "resgate", "ha ganado", "has ganado", "felicidades", "tarjeta regalo", "gagne", "felicitations",
          "carte cadeau", "bon d'achat", "hai vinto", "buono regalo", "free iphone", "free sample", "mystery box",
          "pontos", "points expire", "your points", "survey and win", "take a short survey", "a short survey", "umfrage"},
         {"free", "gratis", "kostenlos", "gratuit", "gift", "reward", "rewards", "bonus", "selected", "confirm", "bestatigen",
          "participate", "teilnahme", "limited", "expire", "expires", "today", "only", "exclusive", "chance", "lucky",
          "click", "survey", "offer", "win"}},
        {"invoice-callback", "an invoice or renewal callback lure (a charge to dispute by phone)",
         {"invoice", "order number", "order id", "order no", "renewal", "renewed", "auto-renew", "automatically renewed",
          "subscription", "has been charged", "will be charged", "charged to your", "payment of", "purchase", "transaction id",
          "receipt", "billing", "geek squad", "norton", "mcafee", "antivirus", "membership"},
         {"call", "cancel", "dispute", "did not authorize", "didn't authorize", "not authorized", "if you did not", "if this wasn't you",
          "if you didn't", "helpline", "toll free", "toll-free", "customer care", "support team", "refund", "contact us",
          "reach us", "questions"}},
        {"account", "an account threat (suspension, locked access, unusual sign-in, storage full, payment to update)",
         {"account has been suspended", "will be suspended", "been suspended", "suspended", "account on hold", "on hold",
          "has been locked", "will be locked", "been disabled", "deactivat", "unusual sign", "unusual activity",
          "suspicious activity", "someone tried to log", "tried to log in", "logged into your", "verify your account",
          "verify your identity", "confirm your identity", "confirm your account", "update your payment", "update payment",
          "payment details", "billing information", "payment failed", "payment declined", "payment was declined",
          "unable to validate", "unable to process", "storage limit", "storage is full", "storage full", "storage space",
          "scheduled for deletion", "permanently deleted", "permanent removal", "password expir", "mailbox is full",
          "mailbox quota", "final warning", "final notice", "action required", "immediate action", "has expired",
          "membership has expired", "subscription has expired", "flagged", "conta suspensa", "bloqueio", "bloqueado",
          "bloqueada", "suspensao", "acesso a sua conta", "novo dispositivo", "regularizacao", "regularize", "pendencia",
          "irregularidade", "gesperrt", "sperrung", "verifizieren", "eingeschrankt", "geblokkeerd", "verifieer",
          "suspendida", "bloqueada", "verifique su", "suspendu", "bloque", "verifier votre", "sospeso"},
         {"account", "konto", "conta", "cuenta", "compte", "password", "sign in", "login", "log in", "verify", "confirm",
          "update", "within 24", "within 48", "24 hours", "48 hours", "24h", "immediately", "urgent", "security",
          "restore", "renew", "expire", "deadline", "cpf", "data"}},
        {"delivery", "a parcel-delivery lure (a package held, a fee or an address to confirm)",
         {"delivery failed", "failed delivery", "could not be delivered", "unable to deliver", "delivery attempt", "held at",
          "pending delivery", "awaiting delivery", "customs fee", "delivery fee", "shipping fee", "redelivery", "reschedule",
          "confirm your address", "update your address", "address is incomplete", "taxa de importacao", "retido", "retida",
          "devolvida ao remetente", "falha na entrega", "entrega pendente", "encomenda", "tributacao", "zustellung",
          "zollgebuhr", "nicht zugestellt", "opgeschort", "wacht op levering", "bezorging", "paquete retenido", "colis",
          "livraison", "suspended package", "package is on hold", "your package", "your parcel", "your shipment"},
         {"package", "parcel", "shipment", "delivery", "tracking", "customs", "fee", "pakket", "paket", "sendung", "entrega",
          "objeto", "correios", "rastreio", "usps", "ups", "fedex", "dhl", "postnl", "la poste", "royal mail", "address", "confirm"}},
        {"attachment-password", "a password for an attached file given in the mail (to keep the file from being scanned)",
         {"pdf password", "password for the pdf", "password to open", "senha do pdf", "senha pdf", "senha de acesso",
          "senha do arquivo", "senha para abrir", "passwort fur", "pdf-passwort", "wachtwoord", "contrasena del pdf",
          "contrasena para", "mot de passe du", "document password", "file password", "zip password", "archive password"},
         {"pdf", "anexo", "attached", "attachment", "arquivo", "file", "document", "anhang", "bijlage", "adjunto", "zip", "123"}},
        {"dating", "a dating or adult-content lure",
         {"hot singles", "local singles", "russian singles", "dating", "lonely", "sex partner", "sex ", "hot women", "hot girls",
          "meet women", "beautiful women", "single women", "dream girl", "hookup", "hook up", "milf", "nude", "naked",
          "nackte", "erotic", "webcam", "cam girl", "looking for a man", "seeking a man", "hot guy", "photo for you",
          "foto fur sie", "freigeschaltet", "girlfriend", "sexy", "horny", "affair", "she is waiting", "new message from",
          "ukrainian girl", "ukrainian women", "ukrainian love", "ukrainian beaut", "celibataires", "rencontrer des",
          "oekraiense", "meisjes wachten", "is waiting for you", "girls waiting", "singles in your area", "frauen in deiner"},
         {"meet", "tonight", "date", "woman", "women", "girl", "girls", "lady", "single", "singles", "photo", "profile", "photos",
          "ontmoeten", "liefde", "rencontre", "treffen",
          "message", "chat", "alone", "love"}},
        {"gambling", "a casino or betting lure (bonus, free spins, no deposit)",
         {"casino", "free spins", "freispiele", "gratis spins", "tours gratuits", "giri gratis", "giros gratis", "no deposit",
          "keine einzahlung", "zonder storting", "sans depot", "welcome bonus", "willkommensbonus", "bonus de bienvenue",
          "welkomstbonus", "jackpot", "slots", "roulette", "sportsbook", "betting", "apostas", "wager"},
         {"bonus", "spins", "deposit", "einzahlung", "win", "play", "game", "games", "gewinne", "spin", "bet", "%"}},
        {"health-product", "a miracle health-product pitch (weight loss, hair, blood sugar, pills)",
         {"keto", "weight loss", "lose weight", "gewichtsverlust", "abnehmen", "perte de poids", "afvallen", "emagrecer",
          "hair loss", "hair regrowth", "erectile", "viagra", "cialis", "cbd", "gummies", "belly fat", "blood sugar",
          "tinnitus", "neuropathy", "prostate", "fat burn", "slimming", "schlankheit", "kg weniger", "kilos", "anti-aging",
          "wrinkles", "joint pain", "arthritis", "libido", "testosterone", "diabetes", "cholesterol", "eyesight",
          "memory loss", "detox", "parasite"},
         {"doctor", "doctors", "miracle", "breakthrough", "secret", "natural", "formula", "pills", "supplement", "ingredient",
          "results", "study", "studies", "order", "bottle", "bottles", "health", "body"}},
        {"investment", "a get-rich investment pitch (guaranteed returns, trading bots, famous backers)",
         {"passive income", "guaranteed return", "guaranteed profit", "investment opportunity", "make money", "earn money",
          "earn up to", "per day", "daily profit", "trading bot", "trading platform", "financial freedom", "elon musk",
          "quantum ai", "get rich", "millionaire", "double your money", "returns of", "profit of", "earn $", "earn usd",
          "ganhe dinheiro", "renda extra", "geld verdienen"},
         {"invest", "investment", "investor", "profit", "profits", "returns", "trading", "income", "earn", "money", "wealth",
          "rich", "stocks", "opportunity"}},
    };
    return c;
}
// clang-format on

// A phrase occurs with a word boundary before it (and after it, for words of 4 letters or fewer).
bool occurs(std::string_view hay, std::string_view cue) {
    bool short_cue = cue.size() <= 4;
    for (std::size_t p = hay.find(cue); p != std::string_view::npos; p = hay.find(cue, p + 1)) {
        bool left = p == 0 || !word_char(hay[p - 1]) || !word_char(cue.front());
        std::size_t e = p + cue.size();
        bool right = !short_cue || e >= hay.size() || !word_char(hay[e]) || !word_char(cue.back());
        if (left && right) return true;
    }
    return false;
}

std::string no_spaces(std::string_view s) {
    std::string r;
    for (char c : s)
        if (c != ' ' && c != '-') r += c;
    return r;
}

}  // namespace

std::string fold_for_matching(std::string_view utf8) { return fold(utf8).text; }

TextTricks text_tricks(std::string_view utf8) {
    Folded f = fold(utf8);
    TextTricks t = f.tricks;
    t.lookalike_letters = lookalikes_in_latin_words(utf8);
    spaced_runs(f.text, &t.spaced_words);
    return t;
}

std::vector<LureHit> find_lures(std::string_view folded, bool has_phone) { return find_lures(folded, has_phone, {}); }

std::vector<LureHit> find_lures(std::string_view folded, bool has_phone, std::string_view folded_subject) {
    std::string text(folded);
    int dummy = 0;
    std::vector<std::string> runs = spaced_runs(text, &dummy);
    std::vector<LureHit> out;
    for (const auto& cat : categories()) {
        std::set<std::string> strong, weak;
        for (const char* s : cat.strong) {
            if (occurs(text, s)) { strong.insert(s); continue; }
            std::string ns = no_spaces(s);
            if (ns.size() >= 8)
                for (const auto& r : runs)
                    if (r.find(ns) != std::string::npos) { strong.insert(s); break; }
        }
        for (const char* w : cat.weak)
            if (!strong.count(w) && occurs(text, w)) weak.insert(w);
        // A lure's phrase in the subject is the message's headline: it counts twice.
        int headline = 0;
        if (!folded_subject.empty())
            for (const auto& x : strong)
                if (occurs(folded_subject, x)) { headline = 1; break; }
        // One phrase alone, with no word of its topic around it, is a mention, not a lure.
        if (strong.empty() || (strong.size() == 1 && weak.empty())) continue;
        std::string kind = cat.kind;
        bool is_strong;
        if (kind == "invoice-callback") {
            // A charge to dispute needs a number to call and words asking to call or cancel.
            if (!has_phone || weak.empty()) continue;
            is_strong = true;
        } else if (kind == "attachment-password") {
            is_strong = !weak.empty();
        } else {
            is_strong = strong.size() + headline >= 2 || weak.size() >= 2;
        }
        LureHit h;
        h.kind = kind;
        h.name = cat.name;
        for (const auto& s : strong) h.cues.push_back(s);
        for (const auto& w : weak) h.cues.push_back(w);
        h.strong = is_strong;
        out.push_back(std::move(h));
    }
    std::stable_sort(out.begin(), out.end(), [](const LureHit& a, const LureHit& b) { return a.cues.size() > b.cues.size(); });
    return out;
}

const std::vector<LureKind>& lure_kinds() {
    static const std::vector<LureKind> k = [] {
        std::vector<LureKind> r;
        for (const auto& c : categories()) r.push_back({c.kind, c.name});
        return r;
    }();
    return k;
}

}  // namespace auth
