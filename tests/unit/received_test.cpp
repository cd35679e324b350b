#include <catch2/catch.hpp>

#include "auth/message.hpp"
#include "auth/received.hpp"

using namespace auth;

TEST_CASE("received: Postfix from clause gives HELO, rDNS and IP", "[received]") {
    auto h = parse_received(
        "from smtp.partner.example.com (smtp.partner.example.com [198.51.100.77]) (using TLSv1.3 with cipher "
        "TLS_AES_256_GCM_SHA384 (256/256 bits)) by mx1.corp.example.org (Postfix) with ESMTPS id 4TqA0Z9Y8Xz9sR "
        "for <bob@corp.example.org>; Mon,  4 Mar 2024 11:00:01 +0100 (CET)");
    CHECK(h.from_helo == "smtp.partner.example.com");
    CHECK(h.from_rdns == "smtp.partner.example.com");
    CHECK(h.from_ip == "198.51.100.77");
    CHECK(h.by == "mx1.corp.example.org");
    CHECK(h.with == "ESMTPS");
    CHECK(h.id == "4TqA0Z9Y8Xz9sR");
    CHECK(h.for_addr == "bob@corp.example.org");
    CHECK(h.date == "Mon,  4 Mar 2024 11:00:01 +0100 (CET)");
}

TEST_CASE("received: Postfix unknown rDNS and IPv6 literal", "[received]") {
    auto h = parse_received("from helo.example (unknown [IPv6:2001:DB8::25]) by mx.example.org (Postfix) with ESMTP id X; "
                            "Mon, 4 Mar 2024 11:00:01 +0100");
    CHECK(h.from_helo == "helo.example");
    CHECK(h.from_rdns.empty());
    CHECK(h.from_ip == "2001:db8::25");
}

TEST_CASE("received: Microsoft 365 'from X (IP) by Y (IP) with Microsoft SMTP Server'", "[received]") {
    auto h = parse_received(
        "from mail.sender.example.com (198.51.100.25) by AM3PEPF0000A791.mail.protection.outlook.com (10.167.16.120) "
        "with Microsoft SMTP Server (version=TLS1_2, cipher=TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384) id 15.20.7362.12 "
        "via Frontend Transport; Mon, 4 Mar 2024 10:00:00 +0000");
    CHECK(h.from_helo == "mail.sender.example.com");
    CHECK(h.from_ip == "198.51.100.25");
    CHECK(h.by == "AM3PEPF0000A791.mail.protection.outlook.com");
    CHECK(h.with == "Microsoft SMTP Server");
    CHECK(h.id == "15.20.7362.12");
    CHECK(h.date == "Mon, 4 Mar 2024 10:00:00 +0000");
}

TEST_CASE("received: Gmail 'from host (host. [IP]) by mx.google.com ... for <rcpt> (version=...)'", "[received]") {
    auto h = parse_received(
        "from mail.shop.example.com (mail.shop.example.com. [203.0.113.45]) by mx.google.com with ESMTPS id "
        "e12-20020a05600c4e4c00b00412abcdef12si1234567wmq.123.2024.03.04.02.00.00 for <alice@gmail.example> "
        "(version=TLS1_3 cipher=TLS_AES_256_GCM_SHA384 bits=256/256); Mon, 04 Mar 2024 02:00:00 -0800 (PST)");
    CHECK(h.from_helo == "mail.shop.example.com");
    CHECK(h.from_rdns == "mail.shop.example.com");
    CHECK(h.from_ip == "203.0.113.45");
    CHECK(h.by == "mx.google.com");
    CHECK(h.for_addr == "alice@gmail.example");
    CHECK(h.date == "Mon, 04 Mar 2024 02:00:00 -0800 (PST)");
}

TEST_CASE("received: Exim 'rdns ([IP] helo=NAME)' and qmail 'unknown (HELO NAME) (IP)'", "[received]") {
    auto e = parse_received("from mail6.v6.example.com ([2001:db8:5::25] helo=relay.v6.example.com) by mx.rcpt.example.org "
                            "with esmtps (TLS1.3) tls TLS_AES_256_GCM_SHA384 (Exim 4.96) (envelope-from <news@v6.example.com>) "
                            "id 1rhABC-000123-4x for bob@rcpt.example.org; Mon, 04 Mar 2024 11:00:00 +0100");
    CHECK(e.from_helo == "relay.v6.example.com");
    CHECK(e.from_rdns == "mail6.v6.example.com");
    CHECK(e.from_ip == "2001:db8:5::25");
    CHECK(e.by == "mx.rcpt.example.org");
    auto q = parse_received("from unknown (HELO mail.q.example) (192.0.2.44) by mx.q.example.org with SMTP; 4 Mar 2024 10:00:00 -0000");
    CHECK(q.from_helo == "mail.q.example");
    CHECK(q.from_rdns.empty());
    CHECK(q.from_ip == "192.0.2.44");
    auto l = parse_received("(qmail 12345 invoked by uid 89); 4 Mar 2024 10:00:00 -0000");
    CHECK(l.from_ip.empty());
    CHECK(l.by.empty());
}

TEST_CASE("received: Sendmail with a bracketed HELO literal", "[received]") {
    auto h = parse_received("from [192.0.2.9] (host.example.net [192.0.2.9]) (may be forged) by mail.example.org "
                            "(8.17.1/8.17.1) with ESMTP id 424A0Zx1012345; Mon, 4 Mar 2024 11:00:00 +0100");
    CHECK(h.from_helo == "[192.0.2.9]");
    CHECK(h.from_ip == "192.0.2.9");
    CHECK(h.by == "mail.example.org");
}

TEST_CASE("received: garbage never throws and leaves fields empty", "[received]") {
    for (const char* v : {"", ";", "(((", "from", "from (", "by by by", "from [IPv6:zz] by", "from x (y [1.2.3.999]) by z"}) {
        auto h = parse_received(v);
        CHECK(h.from_ip.empty());
    }
}

TEST_CASE("received: private and public addresses", "[received]") {
    CHECK(is_private_ip("10.1.2.3"));
    CHECK(is_private_ip("172.16.0.1"));
    CHECK(is_private_ip("192.168.1.1"));
    CHECK(is_private_ip("127.0.0.1"));
    CHECK(is_private_ip("100.64.0.1"));
    CHECK(is_private_ip("fe80::1"));
    CHECK(is_private_ip("fd00::1"));
    CHECK(is_private_ip("::1"));
    CHECK(is_private_ip("::ffff:10.0.0.1"));
    CHECK_FALSE(is_private_ip("198.51.100.1"));  // documentation ranges count as public (fixtures use them)
    CHECK_FALSE(is_private_ip("2001:db8::1"));
    CHECK_FALSE(is_private_ip("40.92.1.2"));
    CHECK(normalize_ip("[IPv6:2001:DB8::1]") == "2001:db8::1");
    CHECK(normalize_ip("1.2.3") == "");
}

namespace {
const char* kChain =
    "Return-Path: <orders@partner.example.com>\n"
    "Received: from mailhub.corp.example.org (mailhub.corp.example.org [10.1.2.3]) by imap.corp.example.org "
    "(Postfix) with ESMTPS id A; Mon, 4 Mar 2024 11:00:03 +0100\n"
    "Received: from mx1.corp.example.org (mx1.corp.example.org [192.0.2.200]) by mailhub.corp.example.org "
    "(Postfix) with ESMTP id B; Mon, 4 Mar 2024 11:00:02 +0100\n"
    "Received: from smtp.partner.example.com (smtp.partner.example.com [198.51.100.77])\n"
    "\tby mx1.corp.example.org (Postfix) with ESMTPS id C; Mon, 4 Mar 2024 11:00:01 +0100\n"
    "From: a@partner.example.com\n"
    "\n"
    "body\n";
}

TEST_CASE("received: --trusted-host picks the hop where mail entered the receiver", "[received]") {
    Message m = Message::parse(kChain);
    Envelope e = derive_envelope(m, {"corp.example.org"});
    CHECK(e.entry_hop == 3);
    CHECK(e.ip.value == "198.51.100.77");
    CHECK(e.ip.header == "Received");
    CHECK(e.ip.hop == 3);
    CHECK(e.helo.value == "smtp.partner.example.com");
    CHECK(e.have_mail_from);
    CHECK(e.mail_from.value == "orders@partner.example.com");
    CHECK(e.mail_from.header == "Return-Path");
    // A host name (not a domain) works too, with a trailing dot and in any case.
    Envelope e2 = derive_envelope(m, {"MX1.corp.example.org.", "mailhub.corp.example.org", "imap.corp.example.org"});
    CHECK(e2.entry_hop == 3);
}

TEST_CASE("received: the default is the topmost hop with a public IP literal", "[received]") {
    Message m = Message::parse(kChain);
    Envelope e = derive_envelope(m, {});
    CHECK(e.entry_hop == 2);
    CHECK(e.ip.value == "192.0.2.200");
    // No trusted hop at all: nothing derived.
    Envelope none = derive_envelope(m, {"elsewhere.example"});
    CHECK(none.entry_hop == 0);
    CHECK(none.ip.value.empty());
}

TEST_CASE("received: null sender and a missing Return-Path", "[received]") {
    Message m = Message::parse("Return-Path: <>\nReceived: from h.example.com (h.example.com [192.0.2.33]) by mx.example.org; x\n\nb\n");
    Envelope e = derive_envelope(m, {});
    CHECK(e.have_mail_from);
    CHECK(e.mail_from.value.empty());
    CHECK(e.mail_from.note.find("postmaster@HELO") != std::string::npos);
    Message n = Message::parse("Received: from h.example.com (h.example.com [192.0.2.33]) by mx.example.org; x\n\nb\n");
    CHECK_FALSE(derive_envelope(n, {}).have_mail_from);
}

TEST_CASE("received: Received-SPF", "[received]") {
    auto r = parse_received_spf("Pass (protection.outlook.com: domain of sender.example.com designates 198.51.100.25 as "
                                "permitted sender) receiver=protection.outlook.com; client-ip=198.51.100.25; "
                                "helo=mail.sender.example.com; pr=C");
    REQUIRE(r);
    CHECK(r->result == Result::pass);
    CHECK(r->comment.find("designates 198.51.100.25") != std::string::npos);
    CHECK(r->client_ip == "198.51.100.25");
    CHECK(r->helo == "mail.sender.example.com");
    CHECK(r->receiver == "protection.outlook.com");
    auto s = parse_received_spf("softfail client-ip=\"192.0.2.1\"; envelope-from=<a@b.example>; identity=mailfrom");
    REQUIRE(s);
    CHECK(s->result == Result::softfail);
    CHECK(s->client_ip == "192.0.2.1");
    CHECK(s->envelope_from == "a@b.example");
    CHECK(parse_received_spf("unknown (old RFC 4408 word)")->result == Result::permerror);
    CHECK_FALSE(parse_received_spf("maybe"));
    CHECK_FALSE(parse_received_spf(""));
    CHECK(parse_received_spf("fail (unclosed comment")->result == Result::fail);
}
