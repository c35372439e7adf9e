#include "KeyFormat.h"

#include <QSet>
#include <QTest>

using namespace legba;

class KeyFormatTest : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void crc32_matchesZlibVectors_data();
    void crc32_matchesZlibVectors();
    void base62_isMostSignificantFirstAndZeroPadded_data();
    void base62_isMostSignificantFirstAndZeroPadded();
    void generate_givesWellFormedDistinctKeys();
    void generate_usesTheWholeAlphabet();
    void isWellFormed_acceptsKnownKeys_data();
    void isWellFormed_acceptsKnownKeys();
    void isWellFormed_rejectsBadShapeOrChecksum_data();
    void isWellFormed_rejectsBadShapeOrChecksum();
    void isWellFormed_rejectsEverySingleCharacterTamper();
    void displayPrefix_isFirstTwelveCharacters();
    void digest_isSha256Hex();
    void keyId_generatedIdsAreWellFormedAndDistinct();
    void keyId_rejectsBadShapes_data();
    void keyId_rejectsBadShapes();
    void checkToken_opaqueTokensAreUsable_data();
    void checkToken_opaqueTokensAreUsable();
    void checkToken_namesWhatCannotBeAKey_data();
    void checkToken_namesWhatCannotBeAKey();
};

void KeyFormatTest::crc32_matchesZlibVectors_data() {
    QTest::addColumn<QByteArray>("input");
    QTest::addColumn<quint32>("expected");
    QTest::newRow("empty") << QByteArray() << quint32(0);
    QTest::newRow("a") << QByteArray("a") << quint32(0xE8B7BE43U);
    QTest::newRow("check value") << QByteArray("123456789") << quint32(0xCBF43926U);
    QTest::newRow("fox") << QByteArray("The quick brown fox jumps over the lazy dog")
                         << quint32(0x414FA339U);
}

void KeyFormatTest::crc32_matchesZlibVectors() {
    QFETCH(QByteArray, input);
    QFETCH(quint32, expected);
    QCOMPARE(keyformat::crc32(input), expected);
}

void KeyFormatTest::base62_isMostSignificantFirstAndZeroPadded_data() {
    QTest::addColumn<quint32>("value");
    QTest::addColumn<QByteArray>("expected");
    QTest::newRow("zero") << quint32(0) << QByteArray("000000");
    QTest::newRow("61") << quint32(61) << QByteArray("00000z");
    QTest::newRow("62") << quint32(62) << QByteArray("000010");
    QTest::newRow("check value") << quint32(0xCBF43926U) << QByteArray("3jZRME");
    QTest::newRow("max") << quint32(0xFFFFFFFFU) << QByteArray("4gfFC3");
}

void KeyFormatTest::base62_isMostSignificantFirstAndZeroPadded() {
    QFETCH(quint32, value);
    QFETCH(QByteArray, expected);
    QCOMPARE(keyformat::base62(value, 6), expected);
}

void KeyFormatTest::generate_givesWellFormedDistinctKeys() {
    QSet<QByteArray> seen;
    for (int i = 0; i < 200; ++i) {
        const QByteArray key = keyformat::generate();
        QCOMPARE(key.size(), keyformat::kKeyLength);
        QVERIFY(key.startsWith("legba_"));
        QVERIFY2(keyformat::isWellFormed(key), key.constData());
        seen.insert(key);
    }
    QCOMPARE(seen.size(), 200);
}

void KeyFormatTest::generate_usesTheWholeAlphabet() {
    // 200 keys give 6400 random characters: every one of the 62 shows up unless the
    // generator is biased or truncated.
    QSet<char> used;
    for (int i = 0; i < 200; ++i) {
        const QByteArray random = keyformat::generate().mid(6, keyformat::kRandomLength);
        for (char c : random)
            used.insert(c);
    }
    QCOMPARE(used.size(), 62);
}

void KeyFormatTest::isWellFormed_acceptsKnownKeys_data() {
    QTest::addColumn<QByteArray>("key");
    // Checksums computed independently with Python's zlib.crc32.
    QTest::newRow("mixed") << QByteArray("legba_0123456789abcdefghijABCDEFGHIJ011ahSqu");
    QTest::newRow("all z") << QByteArray("legba_zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz4W8LJS");
    QTest::newRow("checksum needs padding")
        << QByteArray("legba_0000000000000000000000000000017200YwDE");
}

void KeyFormatTest::isWellFormed_acceptsKnownKeys() {
    QFETCH(QByteArray, key);
    QVERIFY(keyformat::isWellFormed(key));
}

void KeyFormatTest::isWellFormed_rejectsBadShapeOrChecksum_data() {
    QTest::addColumn<QByteArray>("key");
    const QByteArray good("legba_0123456789abcdefghijABCDEFGHIJ011ahSqu");
    QTest::newRow("empty") << QByteArray();
    QTest::newRow("tag only") << QByteArray("legba_");
    QTest::newRow("one short") << good.chopped(1);
    QTest::newRow("one long") << good + 'u';
    QTest::newRow("wrong tag") << QByteArray("legbx_").append(good.mid(6));
    QTest::newRow("uppercase tag") << QByteArray("LEGBA_").append(good.mid(6));
    QTest::newRow("dash in body") << QByteArray(good).replace(10, 1, "-");
    QTest::newRow("underscore in body") << QByteArray(good).replace(10, 1, "_");
    QTest::newRow("NUL in body") << QByteArray(good).replace(10, 1, QByteArray(1, '\0'));
    QTest::newRow("non-ASCII in body") << QByteArray(good).replace(10, 1, "\xC3");
    QTest::newRow("leading space") << QByteArray(" ").append(good.chopped(1));
    QTest::newRow("trailing newline") << good.chopped(1).append('\n');
    QTest::newRow("checksum of other data") << good.chopped(6).append("3jZRME");
    QTest::newRow("checksum unpadded")
        << QByteArray("legba_00000000000000000000000000000172YwDE00");
    QTest::newRow("checksum lowercased") << good.chopped(6).append("1AHsQU");
    QTest::newRow("checksum all zero") << good.chopped(6).append("000000");
    QTest::newRow("checksum above 2^32") << good.chopped(6).append("zzzzzz");
}

void KeyFormatTest::isWellFormed_rejectsBadShapeOrChecksum() {
    QFETCH(QByteArray, key);
    QVERIFY(!keyformat::isWellFormed(key));
}

void KeyFormatTest::isWellFormed_rejectsEverySingleCharacterTamper() {
    // CRC32 detects every single-character change, so any one edit of a generated key,
    // in its random part or its checksum, must be refused.
    const QByteArray key = keyformat::generate();
    for (qsizetype i = 6; i < key.size(); ++i) {
        QByteArray tampered = key;
        tampered[i] = key[i] == 'a' ? 'b' : 'a';
        QVERIFY2(!keyformat::isWellFormed(tampered), tampered.constData());
    }
}

void KeyFormatTest::displayPrefix_isFirstTwelveCharacters() {
    const QByteArray key = keyformat::generate();
    QCOMPARE(keyformat::displayPrefix(key), QString::fromLatin1(key.left(12)));
    QCOMPARE(keyformat::displayPrefix("legba_"), QStringLiteral("legba_"));
    QCOMPARE(keyformat::displayPrefix({}), QString());
}

void KeyFormatTest::digest_isSha256Hex() {
    QCOMPARE(keyformat::digest("abc"),
             QByteArray("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"));
    const QByteArray key = keyformat::generate();
    QVERIFY(!keyformat::digest(key).contains(key.mid(6)));
}

void KeyFormatTest::keyId_generatedIdsAreWellFormedAndDistinct() {
    QSet<QString> seen;
    for (int i = 0; i < 200; ++i) {
        const QString id = keyformat::generateKeyId();
        QCOMPARE(id.size(), 20);
        QVERIFY2(keyformat::isKeyId(id), qPrintable(id));
        seen.insert(id);
    }
    QCOMPARE(seen.size(), 200);
}

void KeyFormatTest::keyId_rejectsBadShapes_data() {
    QTest::addColumn<QString>("id");
    QTest::newRow("empty") << QString();
    QTest::newRow("prefix only") << QStringLiteral("key_");
    QTest::newRow("15") << QStringLiteral("key_0123456789abcde");
    QTest::newRow("17") << QStringLiteral("key_0123456789abcdefg");
    QTest::newRow("uppercase") << QStringLiteral("key_0123456789ABCDEF");
    QTest::newRow("wrong prefix") << QStringLiteral("kez_0123456789abcdef");
    QTest::newRow("KEY_") << QStringLiteral("KEY_0123456789abcdef");
    QTest::newRow("dash") << QStringLiteral("key_0123456789abcde-");
    QTest::newRow("Arabic-Indic digit") << (QStringLiteral("key_0123456789abcde") + QChar(0x0663));
    QTest::newRow("fullwidth a") << (QStringLiteral("key_0123456789abcde") + QChar(0xFF41));
}

void KeyFormatTest::keyId_rejectsBadShapes() {
    QFETCH(QString, id);
    QVERIFY(!keyformat::isKeyId(id));
}

void KeyFormatTest::checkToken_opaqueTokensAreUsable_data() {
    QTest::addColumn<QString>("token");
    QTest::addColumn<bool>("lacksTag");
    QTest::addColumn<bool>("checksumMismatch");
    const QString sandbox = QString::fromLatin1(keyformat::generate());
    QString typo = sandbox;
    typo[20] = typo[20] == QLatin1Char('A') ? QLatin1Char('B') : QLatin1Char('A');
    QTest::newRow("the docs' example")
        << QStringLiteral("legba_new_api_key_xyz789") << false << false;
    QTest::newRow("sandbox key") << sandbox << false << false;
    QTest::newRow("sandbox shape, wrong checksum") << typo << false << true;
    QTest::newRow("no prefix") << QStringLiteral("sk_live_abc.DEF-123~+/=") << true << false;
    QTest::newRow("one character") << QStringLiteral("x") << true << false;
}

void KeyFormatTest::checkToken_opaqueTokensAreUsable() {
    QFETCH(QString, token);
    QFETCH(bool, lacksTag);
    QFETCH(bool, checksumMismatch);
    const keyformat::TokenCheck check = keyformat::checkToken(token);
    QVERIFY(check.usable());
    QCOMPARE(check.lacksTag, lacksTag);
    QCOMPARE(check.checksumMismatch, checksumMismatch);
}

void KeyFormatTest::checkToken_namesWhatCannotBeAKey_data() {
    QTest::addColumn<QString>("token");
    QTest::addColumn<int>("problem");
    QTest::addColumn<int>("position");
    QTest::addColumn<uint>("character");
    using P = keyformat::TokenCheck::Problem;
    QTest::newRow("empty") << QString() << int(P::Empty) << -1 << 0u;
    QTest::newRow("space") << QStringLiteral("legba_a b") << int(P::Whitespace) << 7 << 0x20u;
    QTest::newRow("newline") << QStringLiteral("legba_ab\n") << int(P::Whitespace) << 8 << 0x0Au;
    QTest::newRow("no-break space")
        << QStringLiteral("legba_\u00a0x") << int(P::Whitespace) << 6 << 0xA0u;
    QTest::newRow("NUL") << QString(QStringLiteral("legba_") + QChar(0) + QStringLiteral("x"))
                         << int(P::ControlCharacter) << 6 << 0u;
    QTest::newRow("DEL") << QStringLiteral("legba_\x7f") << int(P::ControlCharacter) << 6 << 0x7Fu;
    QTest::newRow("C1") << QStringLiteral("ab\u0085") << int(P::Whitespace) << 2 << 0x85u;
    QTest::newRow("e acute") << QStringLiteral("legba_é") << int(P::NotAscii) << 6 << 0xE9u;
    // A character beyond the BMP counts once, as a person counts it.
    QTest::newRow("emoji then space")
        << QStringLiteral("\U0001F511 k") << int(P::NotAscii) << 0 << 0x1F511u;
    QTest::newRow("RTL override") << QStringLiteral("ab\u202Ecd") << int(P::NotAscii) << 2
                                  << 0x202Eu;
}

void KeyFormatTest::checkToken_namesWhatCannotBeAKey() {
    QFETCH(QString, token);
    QFETCH(int, problem);
    QFETCH(int, position);
    QFETCH(uint, character);
    const keyformat::TokenCheck check = keyformat::checkToken(token);
    QVERIFY(!check.usable());
    QCOMPARE(int(check.problem), problem);
    QCOMPARE(check.position, qsizetype(position));
    QCOMPARE(uint(check.character), character);
}

QTEST_GUILESS_MAIN(KeyFormatTest)
#include "tst_keyformat.moc"
