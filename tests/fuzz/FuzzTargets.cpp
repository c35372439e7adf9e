#include "FuzzTargets.h"

#include "AuditLog.h"
#include "AuditPageSax.h"
#include "HttpParser.h"
#include "Json.h"
#include "KeyFormat.h"
#include "Rfc3339.h"
#include "ServerTargets.h"

#include <QUrl>
#include <algorithm>
#include <array>
#include <set>
#include <string>
#include <vector>

namespace legba::fuzz {

namespace {

using Json = nlohmann::json;

std::string text(const QString& s) {
    return s.toStdString();
}

bool isAscii(QByteArrayView bytes) {
    for (char c : bytes) {
        if (static_cast<unsigned char>(c) >= 0x80)
            return false;
    }
    return true;
}

// A ParseError must say what is wrong; anything else thrown escapes to the fuzzer, which
// reports it as a crash (the client only catches ParseError).
Violation checkError(const json::ParseError& error) {
    if (error.problem().isEmpty())
        return "ParseError without a problem (field '" + text(error.field()) + "')";
    return std::nullopt;
}

// Parse, write back, parse again, write again: the two writings must be the same text.
// Whatever the parser accepted, it can write and read back without loss or error.
template <typename T> Violation roundTrip(QByteArrayView input, T (*fromJson)(const Json&)) {
    T first;
    try {
        first = fromJson(json::parse(input));
    } catch (const json::ParseError& error) {
        return checkError(error);
    }
    const QByteArray once = json::dump(json::toJson(first));
    T second;
    try {
        second = fromJson(json::parse(once));
    } catch (const json::ParseError& error) {
        return "its own output does not parse: field '" + text(error.field()) + "' " +
               text(error.problem()) + " in " + once.toStdString();
    }
    const QByteArray twice = json::dump(json::toJson(second));
    if (once != twice)
        return "round trip changed " + once.toStdString() + " into " + twice.toStdString();
    return std::nullopt;
}

ApiKey keyFromJson(const Json& value) {
    return json::apiKeyFromJson(value);
}
Instance instanceFromJson(const Json& value) {
    return json::instanceFromJson(value);
}

Violation key(QByteArrayView input) {
    return roundTrip(input, &keyFromJson);
}

Violation keyList(QByteArrayView input) {
    return roundTrip(input, &json::keyListFromJson);
}

Violation issuedKey(QByteArrayView input) {
    IssuedKey first;
    try {
        first = json::issuedKeyFromJson(json::parse(input));
    } catch (const json::ParseError& error) {
        return checkError(error);
    }
    // Keys are ASCII; a non-ASCII "key" is mangled by toLatin1 and cannot round-trip.
    if (!isAscii(first.secret.reveal()))
        return std::nullopt;
    return roundTrip(input, &json::issuedKeyFromJson);
}

Violation instance(QByteArrayView input) {
    return roundTrip(input, &instanceFromJson);
}

Violation instanceList(QByteArrayView input) {
    return roundTrip(input, &json::instanceListFromJson);
}

// What the hosted API may send must cost as little as possible: a usable secret is never
// lost to whatever stands beside it, and a list loses only the elements it cannot read.
Violation tolerantReader(QByteArrayView input) {
    Json value;
    try {
        value = json::parse(input);
    } catch (const json::ParseError& error) {
        return checkError(error);
    }
    if (!value.is_object())
        return std::nullopt;
    if (const auto key = value.find("key"); key != value.end() && key->is_string()) {
        const std::string& secret = key->get_ref<const std::string&>();
        if (keyformat::checkToken(QString::fromStdString(secret)).usable()) {
            try {
                const IssuedKey issued = json::issuedKeyFromJson(value);
                if (issued.secret.reveal() != QByteArray::fromStdString(secret))
                    return "the issued key's secret is not the answer's";
            } catch (const json::ParseError& error) {
                return "a usable secret was refused over field '" + text(error.field()) + "' " +
                       text(error.problem());
            }
        }
    }
    const auto total = value.find("total");
    const bool totalReadable =
        total == value.end() || total->is_null() || total->is_number_integer();
    auto checkList = [&](const char* member, auto read) -> Violation {
        const auto array = value.find(member);
        if (array == value.end() || !array->is_array() || !totalReadable)
            return std::nullopt;
        try {
            const auto [readable, unreadable] = read(value);
            if (readable + unreadable.size() != array->size())
                return std::string("elements of ") + member + " went missing";
            for (const UnreadableItem& item : unreadable) {
                if (!item.field.startsWith(QLatin1String(member) + QLatin1Char('[')) ||
                    item.problem.isEmpty())
                    return "an unreadable element is not named: " + text(item.field);
            }
        } catch (const json::ParseError& error) {
            return std::string("one element failed the whole of ") + member + ": " +
                   text(error.field()) + " " + text(error.problem());
        }
        return std::nullopt;
    };
    if (auto violation = checkList("instances", [](const Json& v) {
            InstanceList list = json::instanceListFromJson(v);
            return std::pair(list.instances.size(), std::move(list.unreadable));
        }))
        return violation;
    return checkList("keys", [](const Json& v) {
        KeyList list = json::keyListFromJson(v);
        return std::pair(list.keys.size(), std::move(list.unreadable));
    });
}

// A page loses only the events it cannot read, each named by its place in the page.
Violation auditPage(QByteArrayView input) {
    if (auto violation = roundTrip(input, &json::auditPageFromJson))
        return violation;
    AuditPage page;
    Json value;
    try {
        value = json::parse(input);
        page = json::auditPageFromJson(value);
    } catch (const json::ParseError&) {
        return std::nullopt; // judged by roundTrip
    }
    const Json& events = value.at("events");
    if (page.events.size() + page.unreadable.size() != events.size())
        return "events went missing";
    for (const UnreadableItem& item : page.unreadable) {
        if (!item.field.startsWith(QLatin1String("events[")) || item.problem.isEmpty())
            return "an unreadable event is not named: " + text(item.field);
    }
    return std::nullopt;
}

Violation health(QByteArrayView input) {
    return roundTrip(input, &json::healthFromJson);
}

Violation errorBody(QByteArrayView input) {
    const ErrorBody body = json::errorBodyFromJson(input);
    if (const auto code = errorCodeFromWireName(body.code); code && wireName(*code) != body.code)
        return "error code " + text(body.code) + " maps to " + text(wireName(*code));
    return std::nullopt;
}

// The SAX parser the audit pane uses must agree with the DOM one: the same bodies accepted,
// the same events read from them.
// Whether some object of `input` names a member twice. Each parser takes the last value of a
// duplicate, but the SAX reader judges every value as it arrives, so an invalid earlier one
// refuses the page that the DOM (keeping only the last) accepts: stricter, by design.
bool hasDuplicateMember(QByteArrayView input) {
    struct Finder : nlohmann::json_sax<Json> {
        std::vector<std::set<std::string>> objects;
        bool duplicate = false;
        bool null() override { return true; }
        bool boolean(bool) override { return true; }
        bool number_integer(number_integer_t) override { return true; }
        bool number_unsigned(number_unsigned_t) override { return true; }
        bool number_float(number_float_t, const string_t&) override { return true; }
        bool string(string_t&) override { return true; }
        bool binary(binary_t&) override { return true; }
        bool start_object(std::size_t) override {
            objects.emplace_back();
            return true;
        }
        bool key(string_t& name) override {
            duplicate = duplicate || !objects.back().insert(name).second;
            return true;
        }
        bool end_object() override {
            objects.pop_back();
            return true;
        }
        bool start_array(std::size_t) override { return true; }
        bool end_array() override { return true; }
        bool parse_error(std::size_t, const std::string&,
                         const nlohmann::detail::exception&) override {
            return false;
        }
    } finder;
    Json::sax_parse(input.begin(), input.end(), &finder);
    return finder.duplicate;
}

Violation auditPageSax(QByteArrayView input) {
    std::optional<AuditPage> dom;
    QString domProblem;
    try {
        dom = json::auditPageFromJson(json::parse(input));
    } catch (const json::ParseError& error) {
        if (auto v = checkError(error))
            return v;
        domProblem = error.problem();
    }
    std::optional<audit::AuditBatch> sax;
    QString saxProblem;
    try {
        sax = audit::parseAuditPage(input);
    } catch (const json::ParseError& error) {
        if (auto v = checkError(error))
            return v;
        saxProblem = error.problem();
    }
    if (dom.has_value() != sax.has_value()) {
        // Differences by design: the DOM parse refuses nesting that would overflow the
        // stack later, and NUL bytes.
        if (!dom && (domProblem.contains(QLatin1String("deep")) ||
                     domProblem.contains(QLatin1String("NUL"))))
            return std::nullopt;
        if (dom && !sax && hasDuplicateMember(input))
            return std::nullopt;
        return dom ? "the DOM parser accepted what the SAX parser refused: " + text(saxProblem)
                   : "the SAX parser accepted what the DOM parser refused: " + text(domProblem);
    }
    if (!dom)
        return std::nullopt;
    if (dom->nextCursor != sax->nextCursor)
        return "next_cursor differs: " + text(dom->nextCursor) + " / " + text(sax->nextCursor);
    // The same events unreadable, named in the same place. Which member is named may differ
    // when an event has several things wrong (the DOM checks in the contract's order, the
    // SAX reader in the body's), and with duplicate members the SAX reader may refuse an
    // event the DOM reads.
    const auto eventOf = [](const UnreadableItem& item) {
        return item.field.left(item.field.indexOf(QLatin1Char(']')) + 1);
    };
    const bool duplicates = hasDuplicateMember(input);
    std::size_t ia = 0; // DOM's readable events and unreadable items walked so far
    std::size_t ib = 0;
    std::size_t ua = 0;
    std::size_t ub = 0;
    const std::size_t total = dom->events.size() + dom->unreadable.size();
    if (sax->records.size() + sax->unreadable.size() != total)
        return "the parsers saw different numbers of events";
    for (std::size_t index = 0; index < total; ++index) {
        const QString here = QStringLiteral("events[%1]").arg(index);
        const bool domBad = ua < dom->unreadable.size() && eventOf(dom->unreadable[ua]) == here;
        const bool saxBad = ub < sax->unreadable.size() && eventOf(sax->unreadable[ub]) == here;
        for (const auto* item :
             {domBad ? &dom->unreadable[ua] : nullptr, saxBad ? &sax->unreadable[ub] : nullptr}) {
            if (item && (item->problem.isEmpty() ||
                         (item->field != here && !item->field.startsWith(here + QLatin1Char('.')))))
                return "an unreadable event is not named: " + text(item->field);
        }
        if (domBad && saxBad) {
            ++ua;
            ++ub;
            continue;
        }
        if (domBad != saxBad) {
            if (!domBad && duplicates) { // the SAX reader's stricter reading of duplicates
                ++ia;
                ++ub;
                continue;
            }
            return text(here) + (domBad ? ": the SAX parser read what the DOM parser could not"
                                        : ": the DOM parser read what the SAX parser could not: " +
                                              text(sax->unreadable[ub].field) + " " +
                                              text(sax->unreadable[ub].problem));
        }
        const AuditEvent& a = dom->events[ia++];
        const AuditEvent b = sax->event(ib++);
        const std::string where = text(here) + ": ";
        if (a.eventId != b.eventId || a.action != b.action || a.requestId != b.requestId ||
            a.ip != b.ip || a.userAgent != b.userAgent)
            return where + "a string field differs";
        if (a.occurredAt != b.occurredAt)
            return where + "occurred_at differs: " + text(rfc3339::format(a.occurredAt)) + " / " +
                   text(rfc3339::format(b.occurredAt));
        if (a.outcome != b.outcome || a.statusCode != b.statusCode)
            return where + "outcome or status_code differs";
        if (a.actor != b.actor)
            return where + "actor differs";
        if (a.target != b.target)
            return where + "target differs";
        // Details compared as JSON values: the SAX parser keeps the members' order.
        const auto details = [](const QByteArray& bytes) {
            return bytes.isEmpty() ? Json::object()
                                   : Json::parse(bytes.begin(), bytes.end(), nullptr, false);
        };
        if (details(a.detailsJson) != details(b.detailsJson))
            return where + "details differ: " + a.detailsJson.toStdString() + " / " +
                   b.detailsJson.toStdString();
    }
    return std::nullopt;
}

Violation keyFormat(QByteArrayView input) {
    const bool wellFormed = keyformat::isWellFormed(input);
    if (wellFormed) {
        if (input.size() != keyformat::kKeyLength || !input.startsWith("legba_"))
            return "a key of the wrong shape passed";
        const QByteArrayView random = input.sliced(6, keyformat::kRandomLength);
        if (keyformat::base62(keyformat::crc32(random), keyformat::kChecksumLength) !=
            input.sliced(6 + keyformat::kRandomLength))
            return "a key with a wrong checksum passed";
        if (keyformat::displayPrefix(input).size() != keyformat::kPrefixLength)
            return "the display prefix is not 12 characters";
    }
    if (keyformat::digest(input).size() != 64)
        return "the digest is not 64 hex digits";
    const QString id = QString::fromUtf8(input);
    if (keyformat::isKeyId(id) && (id.size() != 20 || !id.startsWith(QLatin1String("key_"))))
        return "a key id of the wrong shape passed";
    return std::nullopt;
}

Violation rfc3339(QByteArrayView input) {
    const QString text16 = QString::fromUtf8(input);
    const auto parsed = rfc3339::parseAny(text16);
    // The audit pane's own parser accepts exactly the same texts, with the same meaning.
    const auto ms =
        rfc3339::parseMs(std::string_view(input.data(), static_cast<std::size_t>(input.size())));
    if (parsed.has_value() != ms.has_value())
        return parsed ? "parseMs refused what rfc3339::parseAny accepted"
                      : "parseMs accepted what rfc3339::parseAny refused";
    if (!parsed)
        return std::nullopt;
    if (parsed->toMSecsSinceEpoch() != *ms)
        return "the two parsers read different times";
    const QString formatted = rfc3339::format(*parsed);
    const auto back = rfc3339::parse(formatted);
    if (!back || *back != *parsed)
        return "format then parse changed the time: " + text(formatted);
    std::string saxFormatted;
    rfc3339::appendMs(saxFormatted, *ms);
    if (saxFormatted != text(formatted))
        return "the two formatters disagree: " + saxFormatted + " / " + text(formatted);
    // The contract's form is canonical: it comes back as it went in, save for a ".000"
    // fraction, which is dropped. Other RFC 3339 forms come back in the contract's.
    if (rfc3339::parse(text16) && formatted != text16 &&
        text16 != QString(formatted).insert(19, QLatin1String(".000")))
        return "format is not canonical: " + text(formatted) + " from " + text(text16);
    return std::nullopt;
}

// The server's audit cursor: anything a client sends as `cursor` is decoded or refused,
// never a crash; what decodes is canonical (encoding it again gives the same text).
Violation auditCursor(QByteArrayView input) {
    const QString cursor = QString::fromUtf8(input);
    const auto seq = server::AuditLog::decodeCursor(cursor);
    if (!seq)
        return std::nullopt;
    if (*seq <= 0)
        return "a cursor decoded to a position before the first event";
    if (server::AuditLog::encodeCursor(*seq) != cursor)
        return "a cursor decodes but is not what the server would issue: " + text(cursor);
    return std::nullopt;
}

// The server's HTTP request reader, on whatever a client's socket delivers: a head is read,
// refused or waited for, never a crash. What it reads stays within the bytes given, is read
// the same from exactly its own bytes, and any shorter prefix is never a different request.
Violation httpRequest(QByteArrayView input) {
    namespace http = server::http;
    const http::HeadResult read = http::parseHead(input);
    if (read.progress == http::Progress::Malformed) {
        const int status = read.error.status;
        if (status != 400 && status != 431 && status != 501 && status != 505)
            return "a malformed head refused with status " + std::to_string(status);
        if (read.error.message.isEmpty())
            return "a malformed head refused without saying why";
        return std::nullopt;
    }
    if (read.progress == http::Progress::NeedMore) {
        if (input.size() > http::kMaxHeadBytes + 64 + 2)
            return "more than the head limit buffered without a refusal";
        return std::nullopt;
    }
    const http::RequestHead& head = read.head;
    if (head.size <= 0 || head.size > input.size())
        return "a head's size outside the bytes given";
    if (head.method.isEmpty())
        return "a request without a method";
    if (!head.path.isEmpty() && !head.path.startsWith('/'))
        return "a path that does not start with /: " + head.path.toStdString();
    for (const auto& [name, value] : head.headers) {
        if (name.isEmpty() || name != name.toLower())
            return "a header name not in lower case: " + name.toStdString();
        if (value.contains('\0') || value.contains('\r') || value.contains('\n'))
            return "a header value with NUL, CR or LF";
    }
    if (head.chunked && head.contentLength != 0)
        return "both chunked and a Content-Length";
    const http::HeadResult again = http::parseHead(input.first(head.size));
    if (again.progress != http::Progress::Done || again.head.size != head.size ||
        again.head.path != head.path || again.head.headers != head.headers)
        return "a head read differently from exactly its own bytes";
    if (head.size > 1) {
        const http::HeadResult shorter = http::parseHead(input.first(head.size - 1));
        if (shorter.progress == http::Progress::Done)
            return "a head also complete one byte earlier";
    }
    if (head.chunked) {
        constexpr qsizetype kMax = 1024;
        const http::BodyResult body = http::parseChunked(input.sliced(head.size), kMax);
        if (body.progress == http::Progress::Done &&
            (body.size > input.size() - head.size || body.body.size() > kMax))
            return "a chunked body outside its bounds";
        if (body.progress == http::Progress::Malformed && body.error.status != 400 &&
            body.error.status != 413)
            return "a chunked body refused with status " + std::to_string(body.error.status);
        if (body.progress == http::Progress::NeedMore &&
            input.size() - head.size > kMax + http::kMaxChunkFramingBytes)
            return "more than a chunked body's limit buffered without a refusal";
        // The transport decodes as bytes arrive: in pieces it must read what the whole reads.
        const QByteArrayView rest = input.sliced(head.size);
        http::ChunkedDecoder pieces(kMax);
        http::BodyResult stepped;
        for (qsizetype end = std::min<qsizetype>(rest.size(), 1);;
             end = std::min(rest.size(), end * 2 + 1)) {
            stepped = pieces.decode(rest.first(end));
            if (stepped.progress != http::Progress::NeedMore || end == rest.size())
                break;
        }
        if (stepped.progress != body.progress || stepped.body != body.body ||
            stepped.size != body.size || stepped.error.status != body.error.status)
            return "a chunked body read in pieces differs from the same bytes read at once";
    }
    return std::nullopt;
}

// A request target's path and query as the API gets them: the same as QUrl's, whether
// splitTarget takes its short way or not.
Violation httpTarget(QByteArrayView input) {
    QByteArray path;
    QByteArray query;
    const QUrl url = QUrl::fromEncoded(input.toByteArray());
    const bool split = server::http::splitTarget(input, path, query);
    if (split != url.isValid())
        return "splitTarget and QUrl disagree on whether the target is valid";
    if (split && (path != url.path(QUrl::FullyEncoded).toUtf8() ||
                  query != url.query(QUrl::FullyEncoded).toUtf8()))
        return "a target split unlike QUrl: path " + path.toStdString() + " query " +
               query.toStdString();
    return std::nullopt;
}

constexpr std::array kTargets = {
    Target{"key", &key},
    Target{"key_list", &keyList},
    Target{"issued_key", &issuedKey},
    Target{"instance", &instance},
    Target{"instance_list", &instanceList},
    Target{"tolerant_reader", &tolerantReader},
    Target{"audit_page", &auditPage},
    Target{"audit_page_sax", &auditPageSax},
    Target{"health", &health},
    Target{"error_body", &errorBody},
    Target{"key_format", &keyFormat},
    Target{"rfc3339", &rfc3339},
    Target{"audit_cursor", &auditCursor},
    Target{"http_request", &httpRequest},
    Target{"http_target", &httpTarget},
    Target{"server_create_key", &serverCreateKey},
    Target{"server_create_instance", &serverCreateInstance},
    Target{"server_rotate_key", &serverRotateKey},
    Target{"server_rotate_own_key", &serverRotateOwnKey},
};

} // namespace

std::span<const Target> targets() {
    return kTargets;
}

const Target* findTarget(std::string_view name) {
    for (const Target& target : kTargets) {
        if (name == target.name)
            return &target;
    }
    return nullptr;
}

} // namespace legba::fuzz
