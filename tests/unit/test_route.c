/*
 * test_route.c - unit tests for the Received parser (src/route/received.c) and
 * the authentication / spam-header parsers (src/route/authres.c).
 *
 * Plain C, no framework: prints TAP lines ("ok N - desc" / "not ok N - desc")
 * and exits non-zero if anything failed. Received examples are real header
 * lines from the shared corpus (phish-pot, sa-ham, ja-bounce, ja-synth) unless
 * marked "synthetic". Every input is copied into an exactly-sized heap buffer
 * without a terminating NUL so ASan catches any read past len.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <glib.h>

#include "../../src/route/authres.h"
#include "../../src/route/sender.h"
#include "../../src/util/civil.h"
#include "../../src/route/received.h"
#include "../../src/route/span.h"

static int g_n, g_fail;

static void ok(int cond, const char *fmt, const char *desc)
{
    g_n++;
    if (!cond)
        g_fail++;
    printf("%s %d - %s%s\n", cond ? "ok" : "not ok", g_n, fmt, desc);
}

/* exact-size copy, no NUL */
static char *exact(const char *s, size_t *len)
{
    *len = strlen(s);
    char *p = malloc(*len ? *len : 1);
    if (!p)
        abort();
    memcpy(p, s, *len);
    return p;
}

/* ------------------------------------------------------------ Received */

#define ANY ((const char *)1)

typedef struct {
    const char *name, *raw;
    const char *helo, *rdns, *ip, *by, *by_ip, *proto, *tls, *id, *for_addr, *iso;
    unsigned must, mustnot;
} rcase;

static const rcase rcases[] = {
    {"postfix: brief example (helo/rdns/ip)",
     "from mail86.shopicantal15.com (231.195.187.35.bc.googleusercontent.com [35.187.195.231]) by mx.example.jp (Postfix) with ESMTP id 4ABC; Mon, 26 Jan 2026 09:12:33 +0900 (JST)",
     "mail86.shopicantal15.com", "231.195.187.35.bc.googleusercontent.com", "35.187.195.231", "mx.example.jp", NULL,
     "ESMTP", NULL, "4ABC", NULL, "2026-01-26T09:12:33+09:00", RCV_HELO_RDNS_MISMATCH, RCV_IP_PRIVATE | RCV_TLS},
    {"postfix: IPv6 literal + TLSv1.3 cipher bits",
     "from ciphermail.nitrokey.com (ciphermail.nitrokey.com [IPv6:2a01:4f8:231:a89:3::]) (using TLSv1.3 with cipher TLS_AES_256_GCM_SHA384 (256/256 bits) key-exchange X25519 server-signature ECDSA (P-256) server-digest SHA256) (No client certificate requested) by smtp.dotplex.com (Postfix) with ESMTPS id 16AD120C44 for <phishing@pot>; Tue, 4 Jul 2023 11:52:17 +0200 (CEST)",
     "ciphermail.nitrokey.com", "ciphermail.nitrokey.com", "2a01:4f8:231:a89:3::", "smtp.dotplex.com", NULL,
     "ESMTPS", "TLSv1.3:TLS_AES_256_GCM_SHA384:256", "16AD120C44", "phishing@pot", "2023-07-04T11:52:17+02:00",
     RCV_TLS, RCV_HELO_RDNS_MISMATCH},
    {"postfix: helo literal, rdns unknown",
     "from [192.168.3.100] (unknown [188.241.177.252]) by taz.flessak.com.br (Postfix) with ESMTPSA id 60A238E6A95; Thu, 12 Oct 2023 07:33:19 -0300 (-03)",
     "[192.168.3.100]", "unknown", "188.241.177.252", "taz.flessak.com.br", NULL, "ESMTPSA", NULL, "60A238E6A95",
     NULL, "2023-10-12T07:33:19-03:00", RCV_HELO_IS_IP | RCV_RDNS_UNKNOWN | RCV_AUTH | RCV_TLS, RCV_IP_PRIVATE},
    {"postfix: localhost loopback",
     "from localhost (localhost [127.0.0.1]) by phobos.labs.netnoteinc.com (Postfix) with ESMTP id 26AE543F99 for <zzzz@localhost>; Wed, 28 Aug 2002 05:53:37 -0400 (EDT)",
     "localhost", "localhost", "127.0.0.1", "phobos.labs.netnoteinc.com", NULL, "ESMTP", NULL, "26AE543F99",
     "zzzz@localhost", "2002-08-28T05:53:37-04:00", RCV_IP_LOOPBACK | RCV_IP_PRIVATE, 0},
    {"postfix: Authenticated sender + TLSv1 DHE",
     "from [10.5.0.2] (unknown [195.170.186.231]) (using TLSv1 with cipher DHE-RSA-AES256-SHA (256/256 bits)) (No client certificate requested) (Authenticated sender: i.menchetti@comune.camaiore.lu.it) by comune.camaiore.lu.it (Postfix) with ESMTPSA id 6B7B035CCAE3; Mon, 13 Jan 2025 23:43:26 +0100 (CET)",
     "[10.5.0.2]", "unknown", "195.170.186.231", "comune.camaiore.lu.it", NULL, "ESMTPSA",
     "TLSv1:DHE-RSA-AES256-SHA:256", "6B7B035CCAE3", NULL, "2025-01-13T23:43:26+01:00", RCV_AUTH | RCV_TLS, 0},
    {"postfix: local pickup from userid",
     "by redhat-b-9vcpu-2gb-nyc1-91 (Postfix, from userid 0) id AA16F421CD; Fri, 20 Dec 2024 10:13:12 +0000 (UTC)",
     NULL, NULL, NULL, "redhat-b-9vcpu-2gb-nyc1-91", NULL, NULL, NULL, "AA16F421CD", NULL,
     "2024-12-20T10:13:12+00:00", 0, RCV_HAS_FROM},
    {"sendmail: rdns + ip",
     "from r220-1.rz.RWTH-Aachen.DE (r220-1.rz.RWTH-Aachen.DE [134.130.3.31]) by egwn.net (8.11.6/8.11.6/EGWN) with ESMTP id g7R3fKJ25597 for <rpm-list@freshrpms.net>; Tue, 27 Aug 2002 05:41:20 +0200",
     "r220-1.rz.RWTH-Aachen.DE", "r220-1.rz.RWTH-Aachen.DE", "134.130.3.31", "egwn.net", NULL, "ESMTP", NULL,
     "g7R3fKJ25597", "rpm-list@freshrpms.net", "2002-08-27T05:41:20+02:00", 0, RCV_HELO_RDNS_MISMATCH},
    {"sendmail: no rdns ([ip] only)",
     "from xent.com ([64.161.22.236]) by dogma.slashnull.org (8.11.6/8.11.6) with ESMTP id g8JHtlC30977 for <jm@jmason.org>; Thu, 19 Sep 2002 18:55:47 +0100",
     "xent.com", NULL, "64.161.22.236", "dogma.slashnull.org", NULL, "ESMTP", NULL, "g8JHtlC30977", "jm@jmason.org",
     "2002-09-19T18:55:47+01:00", 0, 0},
    {"sendmail: (may be forged) nested comment",
     "from wolf359.ision-cic.de (soran.int.addix.net [212.51.6.15] (may be forged)) by mail.addix.net (8.9.3/8.9.3) with SMTP id KAA26671 for <rpm-list@freshrpms.net>; Wed, 9 Oct 2002 10:29:47 +0200",
     "wolf359.ision-cic.de", "soran.int.addix.net", "212.51.6.15", "mail.addix.net", NULL, "SMTP", NULL, "KAA26671",
     "rpm-list@freshrpms.net", "2002-10-09T10:29:47+02:00", RCV_MAY_BE_FORGED | RCV_HELO_RDNS_MISMATCH, 0},
    {"sendmail: ident user@rdns",
     "from lugh (root@localhost [127.0.0.1]) by lugh.tuatha.org (8.9.3/8.9.3) with ESMTP id VAA14835; Tue, 27 Aug 2002 21:24:13 +0100",
     "lugh", "localhost", "127.0.0.1", "lugh.tuatha.org", NULL, "ESMTP", NULL, "VAA14835", NULL,
     "2002-08-27T21:24:13+01:00", RCV_IP_LOOPBACK, 0},
    {"sendmail: local submit (from user@localhost)",
     "(from root@localhost) by j4cdfjnl.vm (8.14.7/8.14.7/Submit) id 56G61YZk003054; Wed, 16 Jul 2025 14:01:34 +0800",
     NULL, NULL, NULL, "j4cdfjnl.vm", NULL, NULL, NULL, "56G61YZk003054", NULL, "2025-07-16T14:01:34+08:00", 0,
     RCV_HAS_FROM},
    {"sendmail: STARTTLS version= cipher= bits=",
     "from pop.b2b2c.ca (smtp.interne [66.158.128.12]) by mx7.b2b2c.ca (8.14.7/8.14.7) with ESMTP id 475Cp4vv022484 (version=TLSv1/SSLv3 cipher=ECDHE-RSA-AES256-GCM-SHA384 bits=256 verify=NO) for <phishing@pot>; Mon, 5 Aug 2024 08:51:04 -0400",
     "pop.b2b2c.ca", "smtp.interne", "66.158.128.12", "mx7.b2b2c.ca", NULL, "ESMTP",
     "TLSv1/SSLv3:ECDHE-RSA-AES256-GCM-SHA384:256", "475Cp4vv022484", "phishing@pot", "2024-08-05T08:51:04-04:00",
     RCV_TLS | RCV_HELO_RDNS_MISMATCH, 0},
    {"sendmail: [IPv6:::1] with trailing-dot rdns",
     "from darkness.sial.org (localhost. [IPv6:::1]) by mail.sial.org (8.12.5/8.12.5) with ESMTP id g7SF6EQK002946 for <spamassassin-talk@lists.sourceforge.net>; Wed, 28 Aug 2002 08:06:14 -0700 (PDT)",
     "darkness.sial.org", "localhost", "::1", "mail.sial.org", NULL, "ESMTP", NULL, "g7SF6EQK002946",
     "spamassassin-talk@lists.sourceforge.net", "2002-08-28T08:06:14-07:00", RCV_IP_LOOPBACK, 0},
    {"exim: rdns ([ip] helo=x)",
     "from usw-sf-list1-b.sourceforge.net ([10.3.1.13] helo=usw-sf-list1.sourceforge.net) by usw-sf-list2.sourceforge.net with esmtp (Exim 3.31-VA-mm2 #1 (Debian)) id 17lzNj-0002eV-00; Mon, 02 Sep 2002 15:09:15 -0700",
     "usw-sf-list1.sourceforge.net", "usw-sf-list1-b.sourceforge.net", "10.3.1.13", "usw-sf-list2.sourceforge.net",
     NULL, "esmtp", NULL, "17lzNj-0002eV-00", NULL, "2002-09-02T15:09:15-07:00", RCV_IP_PRIVATE,
     RCV_HELO_RDNS_MISMATCH},
    {"exim: [ip]:port helo= + (TLS1.2) tls CIPHER",
     "from berzas2dbx.valdyba.lan ([10.230.84.249]:35609 helo=mail.klaipeda.lt) by mail.klaipeda.lt with esmtps (TLS1.2) tls TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384 (Exim 4.96) (envelope-from <Vidmantas.Paliakas@klaipeda.lt>) id 1qfGd9-0003hj-2n; Sun, 10 Sep 2023 12:21:23 +0300",
     "mail.klaipeda.lt", "berzas2dbx.valdyba.lan", "10.230.84.249", "mail.klaipeda.lt", NULL, "esmtps",
     "TLS1.2:TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384", "1qfGd9-0003hj-2n", NULL, "2023-09-10T12:21:23+03:00",
     RCV_TLS | RCV_HELO_RDNS_MISMATCH, 0},
    {"exim: old (TLSv1:cipher:bits)",
     "from 81-86-135-90.dsl.pipex.com ([81.86.135.90] helo=guest1.mews) by nick with asmtp (TLSv1:EDH-RSA-DES-CBC3-SHA:168) (Exim 4.10) id 17iWOb-0004VE-00; Sat, 24 Aug 2002 09:35:49 +0100",
     "guest1.mews", "81-86-135-90.dsl.pipex.com", "81.86.135.90", "nick", NULL, "asmtp", "TLSv1:EDH-RSA-DES-CBC3-SHA:168",
     "17iWOb-0004VE-00", NULL, "2002-08-24T09:35:49+01:00", RCV_TLS, 0},
    {"exim: [ip] (port=N helo=x)",
     "from [102.69.133.254] (port=52148 helo=btclanki122-everest.nord) by host4.ns.co.th with esmtpa (Exim 4.96) (envelope-from <shore@suksapan.or.th>) id 1qQrwJ-0003Wf-2Z; Tue, 01 Aug 2023 23:09:38 +0700",
     "btclanki122-everest.nord", NULL, "102.69.133.254", "host4.ns.co.th", NULL, "esmtpa", NULL, "1qQrwJ-0003Wf-2Z",
     NULL, "2023-08-01T23:09:38+07:00", RCV_AUTH, RCV_HELO_IS_IP | RCV_IP_FROM_HELO},
    {"exim: from mail ... with local",
     "from mail by mx4.example.org with local (Exim 2.05 #1 (Debian)) id ffffff-000000-00; Thu, 29 Apr 1999 23:34:45 +0900",
     "mail", NULL, NULL, "mx4.example.org", NULL, "local", NULL, "ffffff-000000-00", NULL, "1999-04-29T23:34:45+09:00",
     0, RCV_FROM_HAS_IP},
    {"exim: by-only with local (envelope-from)",
     "by f28.my.com with local (envelope-from <z19lvg@kuaihaosheng000.com>) id 1pTdsy-0006E3-L1; Sun, 19 Feb 2023 10:13:24 +0300",
     NULL, NULL, NULL, "f28.my.com", NULL, "local", NULL, "1pTdsy-0006E3-L1", NULL, "2023-02-19T10:13:24+03:00", 0, 0},
    {"qmail: from unknown (HELO x) (ip)",
     "from unknown (HELO rhenium.btinternet.com) (194.73.73.93) by mta3.grp.scd.yahoo.com with SMTP; 8 Oct 2002 12:33:40 -0000",
     "rhenium.btinternet.com", "unknown", "194.73.73.93", "mta3.grp.scd.yahoo.com", NULL, "SMTP", NULL, NULL, NULL,
     "2002-10-08T12:33:40+00:00", RCV_RDNS_UNKNOWN, RCV_HELO_RDNS_MISMATCH},
    {"qmail: (qmail N invoked by uid N)",
     "(qmail 19647 invoked by uid 500); 10 Sep 2002 00:46:17 -0000",
     NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, "2002-09-10T00:46:17+00:00", 0, RCV_HAS_FROM},
    {"qmail: messnum invoked from network[ip/host]",
     "(qmail 12218 messnum 1023198 invoked from network[194.125.172.225/ts12-225.dublin.indigo.ie]); 11 Sep 2002 20:38:46 -0000",
     NULL, NULL, "194.125.172.225", NULL, NULL, NULL, NULL, NULL, NULL, "2002-09-11T20:38:46+00:00", 0, 0},
    {"qmail-ldap: (HELO x) ([ip]) (envelope-sender <..>)",
     "from localhost (HELO deepeddy.vircio.com) ([127.0.0.1]) (envelope-sender <cwg-exmh@DeepEddy.Com>) by localhost (qmail-ldap-1.03) with SMTP for <exmh-workers@redhat.com>; 2 Oct 2002 13:56:29 -0000",
     "deepeddy.vircio.com", "localhost", "127.0.0.1", "localhost", NULL, "SMTP", NULL, NULL, "exmh-workers@redhat.com",
     "2002-10-02T13:56:29+00:00", RCV_IP_LOOPBACK, 0},
    {"qmail-ldap: (@[ip])",
     "from deepeddy.vircio.com (@[10.1.2.1]) (envelope-sender <cwg-exmh@DeepEddy.Com>) by austin-jump.vircio.com (qmail-ldap-1.03) with SMTP for <exmh-users@redhat.com>; 20 Sep 2002 18:57:03 -0000",
     "deepeddy.vircio.com", NULL, "10.1.2.1", "austin-jump.vircio.com", NULL, "SMTP", NULL, NULL,
     "exmh-users@redhat.com", "2002-09-20T18:57:03+00:00", RCV_IP_PRIVATE, 0},
    {"yahoo/ses: from 127.0.0.1 (EHLO amazonses) (ip)",
     "from 127.0.0.1 (EHLO a2-222.smtp-out.amazonses.com) (192.0.2.222) by relay2.mail.neko2.example.org with SMTP; Thu, 29 Apr 2017 23:34:45 +0000",
     "a2-222.smtp-out.amazonses.com", NULL, "192.0.2.222", "relay2.mail.neko2.example.org", NULL, "SMTP", NULL, NULL,
     NULL, "2017-04-29T23:34:45+00:00", RCV_IP_PRIVATE, RCV_HELO_IS_IP},
    {"o365 frontend: amazonses (ip) + TLS1_3 + via",
     "from a3-19.smtp-out.eu-west-1.amazonses.com (54.240.3.19) by SJ1PEPF000023D2.mail.protection.outlook.com (10.167.244.9) with Microsoft SMTP Server (version=TLS1_3, cipher=TLS_AES_256_GCM_SHA384) id 15.20.9343.9 via Frontend Transport; Wed, 19 Nov 2025 18:34:26 +0000",
     "a3-19.smtp-out.eu-west-1.amazonses.com", NULL, "54.240.3.19", "SJ1PEPF000023D2.mail.protection.outlook.com",
     "10.167.244.9", "Microsoft SMTP Server", "TLS1_3:TLS_AES_256_GCM_SHA384", "15.20.9343.9", NULL,
     "2025-11-19T18:34:26+00:00", RCV_TLS | RCV_PARSED_VIA, 0},
    {"o365 internal: IPv6 both sides",
     "from CP5P284MB2449.BRAP284.PROD.OUTLOOK.COM (2603:10d6:103:22c:cafe::84) by CP5P284CA0190.outlook.office365.com (2603:10d6:103:22c::16) with Microsoft SMTP Server (version=TLS1_2, cipher=TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384) id 15.20.8158.24 via Frontend Transport; Wed, 20 Nov 2024 01:39:37 +0000",
     "CP5P284MB2449.BRAP284.PROD.OUTLOOK.COM", NULL, "2603:10d6:103:22c:cafe::84",
     "CP5P284CA0190.outlook.office365.com", "2603:10d6:103:22c::16", "Microsoft SMTP Server",
     "TLS1_2:TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384", "15.20.8158.24", NULL, "2024-11-20T01:39:37+00:00", RCV_TLS,
     RCV_IP_PRIVATE},
    {"o365: (::1) with HTTPS",
     "from DM6PR10MB4124.namprd10.prod.outlook.com (::1) by MW4PR10MB5749.namprd10.prod.outlook.com with HTTPS; Sat, 8 Nov 2025 11:37:18 +0000",
     "DM6PR10MB4124.namprd10.prod.outlook.com", NULL, "::1", "MW4PR10MB5749.namprd10.prod.outlook.com", NULL, "HTTPS",
     NULL, NULL, NULL, "2025-11-08T11:37:18+00:00", RCV_TLS | RCV_IP_LOOPBACK, 0},
    {"exchange: mapi with [fe80::..%4]",
     "from AM0PR01MB4036.eurprd01.prod.exchangelabs.com ([fe80::10af:21d0:dd6a:7052]) by AM0PR01MB4036.eurprd01.prod.exchangelabs.com ([fe80::10af:21d0:dd6a:7052%4]) with mapi id 15.20.6954.029; Thu, 9 Nov 2023 13:40:55 +0000",
     "AM0PR01MB4036.eurprd01.prod.exchangelabs.com", NULL, "fe80::10af:21d0:dd6a:7052",
     "AM0PR01MB4036.eurprd01.prod.exchangelabs.com", "fe80::10af:21d0:dd6a:7052", "mapi", NULL, "15.20.6954.029", NULL,
     "2023-11-09T13:40:55+00:00", RCV_IP_PRIVATE, 0},
    {"exchange on-prem: (TLS)",
     "from berzas2dbx.valdyba.lan (10.230.84.249) by Berzas2DBX.valdyba.lan (10.230.84.249) with Microsoft SMTP Server (TLS) id 15.0.1497.42; Sun, 10 Sep 2023 12:21:23 +0300",
     "berzas2dbx.valdyba.lan", NULL, "10.230.84.249", "Berzas2DBX.valdyba.lan", "10.230.84.249",
     "Microsoft SMTP Server", "TLS", "15.0.1497.42", NULL, "2023-09-10T12:21:23+03:00", RCV_TLS, 0},
    {"exchange: helo literal [ip] (ip) no TLS",
     "from [87.120.120.151] (10.160.0.5) by smtp01.lindt.net (10.160.65.180) with Microsoft SMTP Server id 15.1.2507.6 via Frontend Transport; Sat, 4 Jan 2025 04:51:01 +0000",
     "[87.120.120.151]", NULL, "10.160.0.5", "smtp01.lindt.net", "10.160.65.180", "Microsoft SMTP Server", NULL,
     "15.1.2507.6", NULL, "2025-01-04T04:51:01+00:00", RCV_HELO_IS_IP | RCV_IP_PRIVATE, RCV_TLS},
    {"o365: with HTTPS via host",
     "from CY1NAM02HT231.eop-nam02.prod.protection.outlook.com (2603:1096:100:18::27) by SLXP216MB0381.KORP216.PROD.OUTLOOK.COM with HTTPS via SL2P216CA0017.KORP216.PROD.OUTLOOK.COM; Tue, 19 Jun 2018 07:32:09 +0000",
     "CY1NAM02HT231.eop-nam02.prod.protection.outlook.com", NULL, "2603:1096:100:18::27",
     "SLXP216MB0381.KORP216.PROD.OUTLOOK.COM", NULL, "HTTPS", NULL, NULL, NULL, "2018-06-19T07:32:09+00:00",
     RCV_PARSED_VIA, 0},
    {"gmail: by 2002:a05:.. with HTTP",
     "by 2002:a05:6a20:7a27:b0:ef:e79f:ecd4 with HTTP; Wed, 24 May 2023 05:52:26 -0700 (PDT)",
     NULL, NULL, NULL, "2002:a05:6a20:7a27:b0:ef:e79f:ecd4", "2002:a05:6a20:7a27:b0:ef:e79f:ecd4", "HTTP", NULL, NULL,
     NULL, "2023-05-24T05:52:26-07:00", 0, 0},
    {"gmail: by 2002:.. with SMTP id",
     "by 2002:a59:5b11:0:b0:3a6:aea5:2823 with SMTP id p17csp433759vqb; Thu, 16 Feb 2023 08:47:52 -0800 (PST)",
     NULL, NULL, NULL, "2002:a59:5b11:0:b0:3a6:aea5:2823", "2002:a59:5b11:0:b0:3a6:aea5:2823", "SMTP", NULL,
     "p17csp433759vqb", NULL, "2023-02-16T08:47:52-08:00", 0, 0},
    {"gmail: mx.google.com SMTPS (Google Transport Security)",
     "from mail-sor-f41.google.com (mail-sor-f41.google.com. [209.85.220.41]) by mx.google.com with SMTPS id 2adb3069b0e04-53df646fcf5sor1510059e87.19.2024.12.01.02.58.50 for <Phish.me.again@gmail.com> (Google Transport Security); Sun, 01 Dec 2024 02:58:50 -0800 (PST)",
     "mail-sor-f41.google.com", "mail-sor-f41.google.com", "209.85.220.41", "mx.google.com", NULL, "SMTPS", NULL,
     "2adb3069b0e04-53df646fcf5sor1510059e87.19.2024.12.01.02.58.50", "Phish.me.again@gmail.com",
     "2024-12-01T02:58:50-08:00", RCV_TLS, RCV_HELO_RDNS_MISMATCH},
    {"gmail: smtp.gmail.com ESMTPSA (version= cipher= bits=)",
     "from [142.43.127.113] (183.78.101.34.bc.googleusercontent.com. [34.101.78.183]) by smtp.gmail.com with ESMTPSA id oe16-20020a17090b395000b0028b21d24ba6sm5199660pjb.15.2023.12.17.06.17.56 (version=TLS1_3 cipher=TLS_AES_256_GCM_SHA384 bits=256/256); Sun, 17 Dec 2023 06:18:12 -0800 (PST)",
     "[142.43.127.113]", "183.78.101.34.bc.googleusercontent.com", "34.101.78.183", "smtp.gmail.com", NULL, "ESMTPSA",
     "TLS1_3:TLS_AES_256_GCM_SHA384:256", ANY, NULL, "2023-12-17T06:18:12-08:00", RCV_HELO_IS_IP | RCV_AUTH | RCV_TLS,
     0},
    {"gmail: by mail-xx.google.com with SMTP id for",
     "by mail-ua1-f45.google.com with SMTP id s21so567516uac.13 for <phishing@pot>; Thu, 16 Feb 2023 08:47:54 -0800 (PST)",
     NULL, NULL, NULL, "mail-ua1-f45.google.com", NULL, "SMTP", NULL, "s21so567516uac.13", "phishing@pot",
     "2023-02-16T08:47:54-08:00", 0, 0},
    {"gmail api: from N named unknown",
     "from 929832418881 named unknown by gmailapi.google.com with HTTPREST; Thu, 2 Oct 2025 02:16:53 -0700",
     "929832418881", NULL, NULL, "gmailapi.google.com", NULL, "HTTPREST", NULL, NULL, NULL, "2025-10-02T02:16:53-07:00",
     0, RCV_HELO_IS_IP},
    {"sendgrid: (unknown) + fractional seconds",
     "from info.com (unknown) by geopod-ismtpd-11 (SG) with ESMTP id OXJMIvRZSj2HCPQW_Tn7ow for <phishing@pot>; Mon, 08 Sep 2025 13:31:49.425 +0000 (UTC)",
     "info.com", "unknown", NULL, "geopod-ismtpd-11", NULL, "ESMTP", NULL, "OXJMIvRZSj2HCPQW_Tn7ow", "phishing@pot",
     "2025-09-08T13:31:49+00:00", RCV_RDNS_UNKNOWN, 0},
    {"sendgrid: Go timestamp, no semicolon",
     "by recvd-76dbf98688-zj4z8 with SMTP id recvd-76dbf98688-zj4z8-1-6906FB62-13 2025-11-02 06:34:10.490623731 +0000 UTC m=+13010419.023508501",
     NULL, NULL, NULL, "recvd-76dbf98688-zj4z8", NULL, "SMTP", NULL, "recvd-76dbf98688-zj4z8-1-6906FB62-13", NULL,
     "2025-11-02T06:34:10+00:00", RCV_NO_SEMICOLON, 0},
    {"sendgrid: HTTP id, RFC date without semicolon",
     "from NDY3MzQwOTQ (unknown) by geopod-ismtpd-2 (SG) with HTTP id c5YKJ6KYREyvfpZGe-DPwA Sun, 02 Nov 2025 06:34:10.429 +0000 (UTC)",
     "NDY3MzQwOTQ", "unknown", NULL, "geopod-ismtpd-2", NULL, "HTTP", NULL, "c5YKJ6KYREyvfpZGe-DPwA", NULL,
     "2025-11-02T06:34:10+00:00", RCV_NO_SEMICOLON, 0},
    {"dovecot: LMTP",
     "from neko.example.com by neko.example.com (Dovecot) with LMTP id TKs2nTbdtvzbHKNL for <sironeko@neko.example.com>; Thu, 17 Jul 2017 23:34:45 -0500",
     "neko.example.com", NULL, NULL, "neko.example.com", NULL, "LMTP", NULL, "TKs2nTbdtvzbHKNL",
     "sironeko@neko.example.com", "2017-07-17T23:34:45-05:00", 0, 0},
    {"amavis: LMTP, by (host [ip]) comment",
     "from gimli.ufa.cas.cz ([127.0.0.1]) by localhost (gimli.ufa.cas.cz [127.0.0.1]) (amavis, port 10024) with LMTP id EeyGMgqU8C3c; Wed, 5 Jun 2024 02:38:50 +0200 (CEST)",
     "gimli.ufa.cas.cz", NULL, "127.0.0.1", "localhost", "127.0.0.1", "LMTP", NULL, "EeyGMgqU8C3c", NULL,
     "2024-06-05T02:38:50+02:00", RCV_IP_LOOPBACK, 0},
    {"fetchmail: from helo [ip] ... (single-drop)",
     "from jalapeno [127.0.0.1] by localhost with IMAP (fetchmail-5.9.0) for jm@localhost (single-drop); Fri, 04 Oct 2002 10:57:56 +0100 (IST)",
     "jalapeno", NULL, "127.0.0.1", "localhost", NULL, "IMAP", NULL, NULL, "jm@localhost", "2002-10-04T10:57:56+01:00",
     0, RCV_IP_FROM_HELO},
    {"fetchmail: POP3, helo is IP",
     "from 192.0.2.172 [192.0.2.172] by host-022.example.com with POP3 (fetchmail-6.3.17) for <nekobatch@localhost> (single-drop); Thu, 15 Oct 2015 15:22:22 +0900 (JST)",
     "192.0.2.172", NULL, "192.0.2.172", "host-022.example.com", NULL, "POP3", NULL, NULL, "nekobatch@localhost",
     "2015-10-15T15:22:22+09:00", RCV_HELO_IS_IP, 0},
    {"opensmtpd: [local]",
     "from df.example.jp (df.example.jp [local]) by df.example.jp (OpenSMTPD) with ESMTPA id 4c015419 for <kijitora@df.example.jp>; Fri, 21 Jun 2024 07:55:04 +0000 (UTC)",
     "df.example.jp", "df.example.jp", NULL, "df.example.jp", NULL, "ESMTPA", NULL, "4c015419", "kijitora@df.example.jp",
     "2024-06-21T07:55:04+00:00", RCV_AUTH, 0},
    {"iplanet: id <..@..>, bare for",
     "from endeavors.com ([66.126.120.174]) by mta6.snfc21.pbi.net (iPlanet Messaging Server 5.1 (built May 7 2001)) with ESMTP id <0H2F005SJMYJWD@mta6.snfc21.pbi.net> for fork@xent.com; Sat, 14 Sep 2002 07:30:20 -0700 (PDT)",
     "endeavors.com", NULL, "66.126.120.174", "mta6.snfc21.pbi.net", NULL, "ESMTP", NULL,
     "<0H2F005SJMYJWD@mta6.snfc21.pbi.net>", "fork@xent.com", "2002-09-14T07:30:20-07:00", 0, 0},
    {"communigate: (account x HELO y)",
     "from [10.5.1.119] (account kguest HELO tuatha.org) by stockbyte.com (CommuniGate Pro SMTP 3.5.9) with ESMTP id 53327; Wed, 04 Dec 2002 11:22:18 +0000",
     "tuatha.org", NULL, "10.5.1.119", "stockbyte.com", NULL, "ESMTP", NULL, "53327", NULL, "2002-12-04T11:22:18+00:00",
     RCV_IP_PRIVATE, 0},
    {"mercury: 2-digit year",
     "from SpoolDir by EMS-SRV0 (Mercury 1.44); 6 Sep 02 11:30:13 +0000",
     "SpoolDir", NULL, NULL, "EMS-SRV0", NULL, NULL, NULL, NULL, NULL, "2002-09-06T11:30:13+00:00", 0, 0},
    {"mailenable: empty from value, -08:00 zone",
     "from (127.0.0.1 [127.0.0.1]) by MailEnable Inbound Mail Agent with ESMTP; Mon, 02 Sep 2002 01:07:29 -08:00",
     NULL, NULL, "127.0.0.1", "MailEnable Inbound Mail Agent", NULL, "ESMTP", NULL, NULL, NULL,
     "2002-09-02T01:07:29-08:00", RCV_IP_LOOPBACK, 0},
    {"mdaemon: helo [ip] by host [ip]",
     "from vmwin2k [208.42.95.5] by vhost.swchs.org [216.185.203.194] with SMTP (MDaemon.v3.5.0.R) for <razor-users@lists.sf.net>; Thu, 12 Sep 2002 19:22:49 -0500",
     "vmwin2k", NULL, "208.42.95.5", "vhost.swchs.org", "216.185.203.194", "SMTP", NULL, NULL,
     "razor-users@lists.sf.net", "2002-09-12T19:22:49-05:00", 0, 0},
    {"hotmail: from mail pickup service",
     "from mail pickup service by hotmail.com with Microsoft SMTPSVC; Mon, 30 Sep 2002 11:41:19 -0700",
     "mail", NULL, NULL, "hotmail.com", NULL, "Microsoft SMTPSVC", NULL, NULL, NULL, "2002-09-30T11:41:19-07:00", 0, 0},
    {"iis: over TLS secured channel",
     "from BLU004-OMC3S13.hotmail.example.com ([65.55.116.88]) by BAY004-MC2F13.hotmail.example.com over TLS secured channel with Microsoft SMTPSVC(7.5.7601.22712); Fri, 21 Nov 2014 14:17:54 -0800",
     "BLU004-OMC3S13.hotmail.example.com", NULL, "65.55.116.88", "BAY004-MC2F13.hotmail.example.com", NULL,
     "Microsoft SMTPSVC", "TLS", NULL, NULL, "2014-11-21T14:17:54-08:00", RCV_TLS, 0},
    {"kumomta: version in by comment is not by_ip",
     "from cell-5-6cd45dfb84-pj9dw (10.65.75.182) by acems1.com (KumoMTA 10.13.185.62) with ESMTP id 8d3e233f994411f0b28802d6348ecd7b for <phishing@pot+4sg3@hotmail.com>; Wed, 24 Sep 2025 12:46:55 +0000",
     "cell-5-6cd45dfb84-pj9dw", NULL, "10.65.75.182", "acems1.com", NULL, "ESMTP", NULL,
     "8d3e233f994411f0b28802d6348ecd7b", "phishing@pot+4sg3@hotmail.com", "2025-09-24T12:46:55+00:00", RCV_IP_PRIVATE,
     0},
    {"ratware: 'Sep, 20 2002 7:09:49 PM' date, helo literal only",
     "from [118.189.136.119] by smtp-server1.cfl.rr.com with NNFMP; Sep, 20 2002 7:09:49 PM -0300",
     "[118.189.136.119]", NULL, "118.189.136.119", "smtp-server1.cfl.rr.com", NULL, "NNFMP", NULL, NULL, NULL,
     "2002-09-20T19:09:49-03:00", RCV_HELO_IS_IP | RCV_IP_FROM_HELO, 0},
    {"qmail-scanner: dd/mm/yyyy date without zone",
     "from cwg-exmh@DeepEddy.Com by localhost.localdomain with qmail-scanner-0.90 (uvscan: v4.1.60/v4219. . Clean. Processed in 0.322653 secs); 28/08/2002 11:07:06",
     "cwg-exmh@DeepEddy.Com", NULL, NULL, "localhost.localdomain", NULL, "qmail-scanner-0.90", NULL, NULL, NULL,
     "2002-08-28T11:07:06+00:00", RCV_DATE_NO_ZONE, 0},
    {"bracketed whole value [from ...]",
     "[from mothost.mot.com (mothost.mot.com [129.188.137.101]) by motgate4.mot.com (motgate4 2.1) with ESMTP id BAA25720 for <ilug@linux.ie>; Wed, 28 Aug 2002 01:29:22 -0700 (MST)]",
     "mothost.mot.com", "mothost.mot.com", "129.188.137.101", "motgate4.mot.com", NULL, "ESMTP", NULL, "BAA25720",
     "ilug@linux.ie", "2002-08-28T01:29:22-07:00", 0, 0},
    {"gmx: missing semicolon after id",
     "from mda by mogmxus002.server.lan id 0MPlTg-1XqZ921DSU-0052Yr Fri, 28 Nov 2014 18:00:14 +0100",
     "mda", NULL, NULL, "mogmxus002.server.lan", NULL, NULL, NULL, "0MPlTg-1XqZ921DSU-0052Yr", NULL,
     "2014-11-28T18:00:14+01:00", RCV_NO_SEMICOLON, 0},
    {"courier (synthetic): AUTH + TLS: comment",
     "from mail.example.com (mail.example.com [192.0.2.1]) (AUTH: LOGIN user@example.com, TLS: TLSv1/SSLv3,256bits,AES256-SHA) by mx.example.net with ESMTPSA; Wed, 01 Jan 2020 00:00:00 +0000",
     "mail.example.com", "mail.example.com", "192.0.2.1", "mx.example.net", NULL, "ESMTPSA", "TLSv1/SSLv3,256bits,AES256-SHA",
     NULL, NULL, "2020-01-01T00:00:00+00:00", RCV_AUTH | RCV_TLS, 0},
    {"asctime date (synthetic)",
     "from x.example.com (x.example.com [203.0.113.9]) by y.example.net with SMTP; Tue Sep 17 07:04:05 2002",
     "x.example.com", "x.example.com", "203.0.113.9", "y.example.net", NULL, "SMTP", NULL, NULL, NULL,
     "2002-09-17T07:04:05+00:00", RCV_DATE_NO_ZONE, 0},
    {"named zone EST only (synthetic)",
     "by mx.example.net id 1; Tue, 8 Oct 2002 12:33:40 EST",
     NULL, NULL, NULL, "mx.example.net", NULL, NULL, NULL, "1", NULL, "2002-10-08T12:33:40-05:00", 0, RCV_DATE_NO_ZONE},
    {"ja-synth: seed style ESMTPS, same registrable-ish domain",
     "from mta3.kuronekoyamato.co.jp (mta6.kuronekoyamato.co.jp [203.118.212.85]) by mx.example.jp (Postfix) with ESMTPS id 8021568661 for <user@example.jp>; Mon, 11 May 2026 19:42:11 +0900 (JST)",
     "mta3.kuronekoyamato.co.jp", "mta6.kuronekoyamato.co.jp", "203.118.212.85", "mx.example.jp", NULL, "ESMTPS", NULL,
     "8021568661", "user@example.jp", "2026-05-11T19:42:11+09:00", RCV_TLS, RCV_IP_PRIVATE},
    {"gmail: UTF8SMTPSA + bits=128/128",
     "from localhost ([43.163.9.211]) by smtp.gmail.com with UTF8SMTPSA id d2e1a72fcca58-73bd21c4e51sm8627838b3a.55.2025.04.15.05.31.13 for <phishing@pot> (version=TLS1_3 cipher=TLS_AES_128_GCM_SHA256 bits=128/128); Tue, 15 Apr 2025 05:31:13 -0700 (PDT)",
     "localhost", NULL, "43.163.9.211", "smtp.gmail.com", NULL, "UTF8SMTPSA", "TLS1_3:TLS_AES_128_GCM_SHA256:128", ANY,
     "phishing@pot", "2025-04-15T05:31:13-07:00", RCV_AUTH | RCV_TLS, RCV_IP_PRIVATE},
    {"post.office: nested comment with + in by",
     "from mx8.example.com ([192.0.2.55]) by mx6.example.com (Post.Office MTA v3.1.2 release (FF000+0900) ID# 0+09000000000000000) with SMTP id 0000000 for <shironeko@example.org>; Thu, 29 Apr 1999 23:34:45 +0900",
     "mx8.example.com", NULL, "192.0.2.55", "mx6.example.com", NULL, "SMTP", NULL, "0000000", "shironeko@example.org",
     "1999-04-29T23:34:45+09:00", 0, 0},
    {"haraka: bare envelope-from after id",
     "from localhost ([1.2.3.4]) by mrd.us-east-1a.returnpath.net (Haraka/2.8.21) with ESMTP id zzz.1 envelope-from <fbl@bounce.mailstream.senderscore.net>; Sat, 31 Oct 2020 18:32:53 +0000",
     "localhost", NULL, "1.2.3.4", "mrd.us-east-1a.returnpath.net", NULL, "ESMTP", NULL, "zzz.1", NULL,
     "2020-10-31T18:32:53+00:00", 0, 0},
};

static int str_match(const char *want, const char *got)
{
    if (want == ANY)
        return 1;
    if (!want)
        return got == NULL;
    return got && strcmp(want, got) == 0;
}

static void check_field(const char *name, const char *field, const char *want, const char *got, int *good)
{
    if (!str_match(want, got)) {
        *good = 0;
        printf("#   %s: %s: want '%s' got '%s'\n", name, field, want ? want : "(null)", got ? got : "(null)");
    }
}

static void test_received_cases(void)
{
    size_t n = sizeof rcases / sizeof rcases[0];
    for (size_t i = 0; i < n; i++) {
        const rcase *tc = &rcases[i];
        arena *a = arena_new(0);
        size_t len;
        char *buf = exact(tc->raw, &len);
        rcv_hop h;
        int rc = route_parse_received(a, buf, len, &h);
        int good = rc == 0;
        check_field(tc->name, "helo", tc->helo, h.from_helo, &good);
        check_field(tc->name, "rdns", tc->rdns, h.from_rdns, &good);
        check_field(tc->name, "ip", tc->ip, h.from_ip, &good);
        check_field(tc->name, "by", tc->by, h.by, &good);
        check_field(tc->name, "by_ip", tc->by_ip, h.by_ip, &good);
        check_field(tc->name, "protocol", tc->proto, h.protocol, &good);
        check_field(tc->name, "tls", tc->tls, h.tls, &good);
        check_field(tc->name, "id", tc->id, h.id, &good);
        check_field(tc->name, "for", tc->for_addr, h.for_addr, &good);
        check_field(tc->name, "time", tc->iso, h.time_iso, &good);
        if ((h.flags & tc->must) != tc->must || (h.flags & tc->mustnot)) {
            good = 0;
            printf("#   %s: flags 0x%08x must 0x%08x mustnot 0x%08x\n", tc->name, h.flags, tc->must, tc->mustnot);
        }
        if (!RCV_FULLY_PARSED(h.flags)) {
            good = 0;
            printf("#   %s: not fully parsed (flags 0x%08x)\n", tc->name, h.flags);
        }
        if (tc->ip && tc->ip != ANY && h.ip_family != (strchr(tc->ip, ':') ? 6 : 4)) {
            good = 0;
            printf("#   %s: ip_family %d\n", tc->name, h.ip_family);
        }
        ok(good, "received: ", tc->name);
        free(buf);
        arena_free(a);
    }
}

static void test_received_extras(void)
{
    arena *a = arena_new(0);
    rcv_hop h;
    size_t len;
    char *buf;

    buf = exact("from mout17.gn-server.de ([87.238.194.244]) by mout39.gn-server.de with esmtp (envelope-from <office09uu@terra-globo.eu>) id 1rucFZ-0006RC-7H; Wed, 10 Apr 2024 18:00:45 +0000", &len);
    route_parse_received(a, buf, len, &h);
    ok(h.envelope_from && !strcmp(h.envelope_from, "office09uu@terra-globo.eu") && h.epoch == 1712772045LL &&
           h.tz_offset_min == 0 && h.has_time,
       "received: ", "envelope-from comment and epoch");
    free(buf);

    buf = exact("from a by b; Mon, 26 Jan 2026 09:12:33 +0900", &len);
    route_parse_received(a, buf, len, &h);
    ok(h.epoch == 1769386353LL && h.tz_offset_min == 540, "received: ", "epoch/offset for +0900");
    free(buf);

    /* nothing understood */
    buf = exact("Carol Hester", &len);
    int rc = route_parse_received(a, buf, len, &h);
    ok(rc == -1 && (h.flags & RCV_UNPARSED_REST) && !h.from_helo, "received: ", "free text is -1, flagged");
    free(buf);

    rc = route_parse_received(a, "x", 0, &h);
    ok(rc == -1 && h.flags == 0, "received: ", "empty input");

    /* 100-deep nesting and unbalanced parens stay in bounds */
    char deep[400];
    size_t k = 0;
    k += (size_t)snprintf(deep, sizeof deep, "from a ");
    for (int i = 0; i < 100; i++)
        deep[k++] = '(';
    memcpy(deep + k, "x by y", 6);
    k += 6;
    char *dbuf = malloc(k);
    memcpy(dbuf, deep, k);
    rc = route_parse_received(a, dbuf, k, &h);
    ok((h.flags & RCV_TOO_DEEP) && h.from_helo && !strcmp(h.from_helo, "a") && !h.by, "received: ",
       "deep unclosed nesting flagged, no overread");
    free(dbuf);

    /* a semicolon inside a comment is not the date separator */
    buf = exact("from a (b; c [1.2.3.4]) by d with SMTP; Tue, 1 Oct 2002 10:00:00 +0000", &len);
    route_parse_received(a, buf, len, &h);
    ok(h.time_iso && !strcmp(h.time_iso, "2002-10-01T10:00:00+00:00") && h.by && !strcmp(h.by, "d"), "received: ",
       "';' inside comment ignored");
    free(buf);

    /* invalid date fields rejected */
    buf = exact("by x; Mon, 31 Feb 2020 10:00:00 +0000", &len);
    route_parse_received(a, buf, len, &h);
    ok(!h.has_time && (h.flags & RCV_HAS_DATE) && !(h.flags & RCV_PARSED_DATE), "received: ", "31 Feb rejected");
    free(buf);

    /* long value: capped strings, no crash */
    size_t big = 40000;
    char *lb = malloc(big);
    memcpy(lb, "from ", 5);
    memset(lb + 5, 'a', big - 5);
    rc = route_parse_received(a, lb, big, &h);
    ok(h.from_helo && strlen(h.from_helo) == RCV_MAX_VALUE && (h.flags & RCV_TRUNCATED), "received: ",
       "oversized value capped");
    free(lb);
    arena_free(a);
}

/* Cheap deterministic fuzz: truncations and byte mutations of every case. */
static void test_received_fuzz(void)
{
    unsigned long seed = 12345;
    size_t n = sizeof rcases / sizeof rcases[0];
    long runs = 0;
    for (size_t i = 0; i < n; i++) {
        size_t len = strlen(rcases[i].raw);
        for (size_t cut = 0; cut <= len; cut += 3) {
            char *b = malloc(cut ? cut : 1);
            memcpy(b, rcases[i].raw, cut);
            arena *a = arena_new(0);
            rcv_hop h;
            route_parse_received(a, b, cut, &h);
            arena_free(a);
            free(b);
            runs++;
        }
        for (int m = 0; m < 200; m++) {
            char *b = malloc(len);
            memcpy(b, rcases[i].raw, len);
            for (int z = 0; z < 4; z++) {
                seed = seed * 6364136223846793005UL + 1442695040888963407UL;
                static const char pick[] = "();[]<>:@ \t\"\\=.,0a";
                b[(seed >> 33) % len] = pick[(seed >> 20) % (sizeof pick - 1)];
            }
            arena *a = arena_new(0);
            rcv_hop h;
            route_parse_received(a, b, len, &h);
            arena_free(a);
            free(b);
            runs++;
        }
    }
    ok(runs > 1000, "received: ", "fuzz truncations/mutations survive (ASan-checked)");
}

static void test_dates(void)
{
    struct {
        const char *in, *iso;
    } d[] = {
        {"Mon, 26 Jan 2026 09:12:33 +0900 (JST)", "2026-01-26T09:12:33+09:00"},
        {"26 Jan 2026 09:12 +0900", "2026-01-26T09:12:00+09:00"},
        {"Thu, 1 Jan 70 00:00:00 GMT", "1970-01-01T00:00:00+00:00"},
        {"Sun, 6 Nov 94 08:49:37 PDT", "1994-11-06T08:49:37-07:00"},
        {"Fri, 21 Nov 1997 09:55:06 -0600", "1997-11-21T09:55:06-06:00"},
        {"Fri , 21 Nov 1997 09 : 55 : 06 -0600", NULL}, /* spaces inside time not accepted */
        {"Tue, 29 Feb 2000 23:59:60 +0000", "2000-03-01T00:00:00+00:00"},
        {"Wed, 17 Jul 2024 12:00:00 UT", "2024-07-17T12:00:00+00:00"},
        {"17 Jul 2024 12:00:00 +0000 (Coordinated Universal Time)", "2024-07-17T12:00:00+00:00"},
        {"2024-07-17 12:00:00 +0530", "2024-07-17T12:00:00+05:30"},
        {"Mon, 1 Jan 2024 00:00:00 JST", "2024-01-01T00:00:00+09:00"},
        {"garbage", NULL},
    };
    for (size_t i = 0; i < sizeof d / sizeof d[0]; i++) {
        size_t len;
        char *b = exact(d[i].in, &len);
        long long ep;
        int tz, nz;
        size_t used = route_parse_date(b, len, &ep, &tz, &nz);
        char iso[40] = "";
        if (used)
            route_format_iso(ep, tz, iso, sizeof iso);
        int good = d[i].iso ? (used && !strcmp(iso, d[i].iso)) : !used;
        if (!good)
            printf("#   date '%s' -> '%s'\n", d[i].in, iso);
        ok(good, "date: ", d[i].in);
        free(b);
    }
}

static void test_ip(void)
{
    struct {
        const char *ip;
        int priv;
    } p[] = {
        {"10.1.2.3", 1},      {"172.16.0.1", 1},   {"172.32.0.1", 0},  {"192.168.1.1", 1},   {"127.0.0.1", 1},
        {"169.254.1.1", 1},   {"100.64.0.1", 1},   {"100.128.0.1", 0}, {"0.1.2.3", 1},       {"192.0.2.5", 1},
        {"198.51.100.7", 1},  {"203.0.113.9", 1},  {"8.8.8.8", 0},     {"35.187.195.231", 0}, {"::1", 1},
        {"fe80::1", 1},       {"fd00::1", 1},      {"2001:db8::1", 1}, {"2a01:4f8::1", 0},   {"[IPv6:::1]", 1},
        {"::ffff:10.0.0.1", 1}, {"240.0.0.1", 1},  {"224.0.0.5", 1},
    };
    int good = 1;
    for (size_t i = 0; i < sizeof p / sizeof p[0]; i++) {
        if (!!route_ip_is_private(p[i].ip) != p[i].priv) {
            good = 0;
            printf("#   private(%s) != %d\n", p[i].ip, p[i].priv);
        }
    }
    ok(good, "ip: ", "route_ip_is_private table");

    struct {
        const char *in, *out;
        int fam;
    } nrm[] = {
        {"[1.2.3.4]", "1.2.3.4", 4},
        {"[1.2.3.4]:25", "1.2.3.4", 4},
        {"1.2.3.4:25", "1.2.3.4", 4},
        {"[IPv6:2001:DB8:0:0::1]", "2001:db8::1", 6},
        {"::ffff:1.2.3.4", "1.2.3.4", 4},
        {"root@[10.0.0.1]", "10.0.0.1", 4},
        {"fe80::1%eth0", "fe80::1", 6},
        {"1.2.3", NULL, 0},
        {"14:39:27", NULL, 0},
        {"mail.example.com", NULL, 0},
        {"256.1.1.1", NULL, 0},
    };
    good = 1;
    for (size_t i = 0; i < sizeof nrm / sizeof nrm[0]; i++) {
        char out[64];
        int fam = route_ip_normalize(nrm[i].in, strlen(nrm[i].in), out, sizeof out);
        if (fam != nrm[i].fam || (nrm[i].out && strcmp(out, nrm[i].out))) {
            good = 0;
            printf("#   normalize(%s) = %d '%s'\n", nrm[i].in, fam, out);
        }
    }
    ok(good, "ip: ", "route_ip_normalize forms");
}

/* route_ip_normalize() as it was, on inet_pton/inet_ntop: the simple form
 * the hand-written IPv4 parser and the early exits are checked against */
static int ref_normalize(const char *s, size_t len, char *out)
{
    out[0] = '\0';
    while (len && span_is_ws(*s))
        s++, len--;
    while (len && span_is_ws(s[len - 1]))
        len--;
    if (len == 0 || len > 120)
        return 0;
    for (size_t i = len; i > 0; i--)
        if (s[i - 1] == '@') {
            s += i;
            len -= i;
            break;
        }
    int bracket = 0;
    if (len && s[0] == '[') {
        size_t k = 1;
        while (k < len && s[k] != ']')
            k++;
        if (k >= len)
            return 0;
        s++;
        len = k - 1;
        bracket = 1;
    }
    if (len >= 5 && strncasecmp(s, "IPv6:", 5) == 0)
        s += 5, len -= 5;
    while (len && s[len - 1] == '.')
        len--;
    size_t colons = 0, dots = 0;
    for (size_t i = 0; i < len; i++) {
        if (s[i] == ':')
            colons++;
        else if (s[i] == '.')
            dots++;
        else if (s[i] == '%') {
            len = i;
            break;
        }
    }
    if (!bracket && colons == 1 && dots == 3) {
        size_t k = 0;
        while (k < len && s[k] != ':')
            k++;
        len = k;
        colons = 0;
    }
    char buf[64];
    if (len == 0 || len >= sizeof buf)
        return 0;
    memcpy(buf, s, len);
    buf[len] = '\0';
    unsigned char b[16];
    if (colons == 0) {
        if (inet_pton(AF_INET, buf, b) != 1)
            return 0;
        inet_ntop(AF_INET, b, out, 64);
        return 4;
    }
    if (inet_pton(AF_INET6, buf, b) != 1)
        return 0;
    static const unsigned char mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    if (memcmp(b, mapped, 12) == 0) {
        inet_ntop(AF_INET, b + 12, out, 64);
        return 4;
    }
    inet_ntop(AF_INET6, b, out, 64);
    return 6;
}

/* route_ip4_pton against inet_pton, route_ip_normalize against the simple
 * form above, and route_ip_class of a text against that of its normalized
 * form (what it computed before), on random IP-like strings: digits, hex
 * letters, separators, brackets, '@', '%', spaces, NULs, other letters */
static void test_ip_parse_sweep(void)
{
    static const char alpha[] = "0123456789012345678900....:::abcdefABCDEF[]@% \tgxIPv6\0\0";
    static const char *const pre[] = {"", "[", "[IPv6:", "ipv6:", "u@", "::ffff:", "1.2.3.", "fe80::"};
    unsigned seed = 12345;
    int pton_same = 1, norm_same = 1, class_same = 1;
    long accepted = 0;
    for (int it = 0; it < 300000; it++) {
        char in[80];
        size_t n = 0;
        seed = seed * 1103515245u + 12345u;
        const char *p = pre[(seed >> 16) % (sizeof pre / sizeof *pre)];
        if ((seed >> 8) % 3 == 0)
            p = "";
        while (*p)
            in[n++] = *p++;
        seed = seed * 1103515245u + 12345u;
        size_t len = (seed >> 16) % 24;
        for (size_t i = 0; i < len && n < sizeof in - 1; i++) {
            seed = seed * 1103515245u + 12345u;
            in[n++] = alpha[(seed >> 16) % (sizeof alpha - 1)];
        }
        in[n] = '\0';
        /* IPv4 parser: the bytes up to the first NUL, as inet_pton reads them */
        unsigned char a[4] = {1, 2, 3, 4}, b[4] = {1, 2, 3, 4};
        int ra = route_ip4_pton(in, a), rb = inet_pton(AF_INET, in, b) == 1;
        if (ra != rb || memcmp(a, b, 4) != 0) {
            if (pton_same)
                printf("#   ip4_pton(\"%s\") = %d, inet_pton %d\n", in, ra, rb);
            pton_same = 0;
        }
        char *x = malloc(n ? n : 1); /* exact size: reads past n are caught */
        memcpy(x, in, n);
        char want[64], got[64];
        int fw = ref_normalize(x, n, want), fg = route_ip_normalize(x, n, got, sizeof got);
        if (fw != fg || (fw && strcmp(want, got) != 0)) {
            if (norm_same)
                printf("#   normalize(\"%s\") = %d '%s', simple form %d '%s'\n", in, fg, got, fw, want);
            norm_same = 0;
        }
        accepted += fg != 0;
        free(x);
        if (strlen(in) == n) { /* route_ip_class reads a C string */
            int c1 = route_ip_class(in), c2 = fg ? route_ip_class(got) : ROUTE_IP_INVALID;
            if (c1 != c2) {
                if (class_same)
                    printf("#   class(\"%s\") = %d, of '%s' %d\n", in, c1, got, c2);
                class_same = 0;
            }
        }
    }
    ok(pton_same, "ip: ", "route_ip4_pton equals inet_pton(AF_INET) on 300000 random strings");
    ok(norm_same && accepted > 1000, "ip: ",
       "route_ip_normalize equals its inet_pton/inet_ntop form on 300000 random strings");
    ok(class_same, "ip: ", "route_ip_class of a text equals that of its normalized form");
}

/* kv_in's simple form: a case-insensitive match of key at every start not
 * preceded by a letter or digit; the value runs to space/comma/')'/';' */
static const char *ref_kv(const char *in, size_t n, const char *key, size_t *vn)
{
    size_t kl = strlen(key);
    for (size_t i = 0; i + kl <= n; i++) {
        if (i > 0 && ((in[i - 1] >= '0' && in[i - 1] <= '9') || ((in[i - 1] | 0x20) >= 'a' && (in[i - 1] | 0x20) <= 'z')))
            continue;
        if (strncasecmp(in + i, key, kl) != 0)
            continue;
        size_t e = i + kl;
        while (e < n && !span_is_ws(in[e]) && in[e] != ',' && in[e] != ')' && in[e] != ';')
            e++;
        *vn = e - i - kl;
        return in + i + kl;
    }
    return NULL;
}

/* TLS details from "key=" comments (the memchr-driven kv_in) against the
 * simple form: random comments of keys (some glued to a letter or digit),
 * stray '=', values, commas and spaces */
static void test_kv_sweep(void)
{
    static const char *const parts[] = {"version=", "VERSION=", "cipher=", "Cipher=", "bits=", "x",
                                        "1", "=", " ", ",", "TLSv1.3", "AES", "256", "ersion=",
                                        "xversion=", "_bits=", "-cipher=", "v=", "==", "\t"};
    arena *a = arena_new(0);
    unsigned seed = 77;
    int same = 1, with_tls = 0;
    for (int it = 0; it < 20000 && same; it++) {
        char cm[400];
        size_t cn = 0;
        seed = seed * 1103515245u + 12345u;
        int np = (int)((seed >> 16) % 14);
        for (int k = 0; k < np; k++) {
            seed = seed * 1103515245u + 12345u;
            const char *pt = parts[(seed >> 16) % (sizeof parts / sizeof *parts)];
            memcpy(cm + cn, pt, strlen(pt));
            cn += strlen(pt);
        }
        cm[cn] = '\0';
        char want[1100] = "";
        size_t vn = 0, cl = 0, bl = 0;
        const char *v = ref_kv(cm, cn, "version=", &vn);
        if (v && vn) {
            const char *ci = ref_kv(cm, cn, "cipher=", &cl);
            const char *bi = ref_kv(cm, cn, "bits=", &bl);
            size_t d = 0;
            while (bi && d < bl && bi[d] >= '0' && bi[d] <= '9')
                d++;
            snprintf(want, sizeof want, "%.*s", (int)vn, v);
            if (ci && cl)
                snprintf(want + strlen(want), sizeof want - strlen(want), ":%.*s", (int)cl, ci);
            if (d)
                snprintf(want + strlen(want), sizeof want - strlen(want), ":%.*s", (int)d, bi);
        }
        char val[600];
        snprintf(val, sizeof val, "from a.example (%s) by b.example; Mon, 1 Jan 2024 00:00:00 +0000", cm);
        size_t len;
        char *buf = exact(val, &len);
        rcv_hop h;
        route_parse_received(a, buf, len, &h);
        free(buf);
        if (want[0]) {
            with_tls++;
            if (!h.tls || strcmp(h.tls, want) != 0)
                same = 0;
        }
        if (!same)
            printf("#   comment '%s': tls '%s', want '%s'\n", cm, h.tls ? h.tls : "-", want);
    }
    arena_free(a);
    ok(same && with_tls > 1000, "received: ", "key=value TLS comments as the simple kv search, 20000 random");
}

/* text_has_ip as it was (per-byte tests, route_ip_normalize): the simple
 * form of the table-driven scan */
static int ref_text_has_ip(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        char pc = i ? s[i - 1] : ' ';
        int v6prefix = i >= 5 && span_lower(s[i - 5]) == 'i' && span_lower(s[i - 4]) == 'p' &&
                       span_lower(s[i - 3]) == 'v' && s[i - 2] == '6' && s[i - 1] == ':';
        int alnum = (pc >= '0' && pc <= '9') || (pc >= 'a' && pc <= 'z') || (pc >= 'A' && pc <= 'Z');
        if (!v6prefix && (alnum || pc == '.' || pc == '-' || pc == '_' || pc == ':'))
            continue;
        if (!(span_is_digit(s[i]) || (span_lower(s[i]) >= 'a' && span_lower(s[i]) <= 'f') || s[i] == ':'))
            continue;
        size_t j = i;
        int colons = 0, dots = 0;
        while (j < n && j - i < 60 &&
               (span_is_digit(s[j]) || (span_lower(s[j]) >= 'a' && span_lower(s[j]) <= 'f') || s[j] == ':' ||
                s[j] == '.')) {
            colons += s[j] == ':';
            dots += s[j] == '.';
            j++;
        }
        while (j > i && (s[j - 1] == '.' || (s[j - 1] == ':' && colons < 2)))
            j--;
        char nc = j < n ? s[j] : 0;
        int nal = (nc >= '0' && nc <= '9') || (nc >= 'a' && nc <= 'z') || (nc >= 'A' && nc <= 'Z');
        if (j < n && (nal || nc == '-' || nc == '_'))
            continue;
        if (j < n && nc == '.' && j + 1 < n &&
            ((s[j + 1] >= '0' && s[j + 1] <= '9') || ((s[j + 1] | 0x20) >= 'a' && (s[j + 1] | 0x20) <= 'z')))
            continue;
        if (colons >= 2 || dots == 3) {
            char tmp[64];
            if (route_ip_normalize(s + i, j - i, tmp, sizeof tmp))
                return 1;
        }
    }
    return 0;
}

/* RCV_FROM_HAS_IP (the table-driven text_has_ip) against the simple form on
 * random from clauses of digits, hex letters, separators, "IPv6:", brackets
 * and 8-bit bytes (no letters that could spell a clause keyword) */
static void test_has_ip_sweep(void)
{
    static const char *const parts[] = {"1", "2", "25", "255", "0", ".", ".", ":", "::", "a", "F", "e",
                                        "g", "X", "-", "_", " ", "[", "]", "IPv6:", "ipv6:", "@",
                                        "%", "\xc3", "10.0.0.1", "fe80::1", "1.2.3.4", "2001:db8::"};
    arena *a = arena_new(0);
    unsigned seed = 4242;
    int same = 1, with_ip = 0, helo_same = 1, helo_ips = 0;
    for (int it = 0; it < 30000 && same; it++) {
        char x[300];
        size_t xn = 0;
        seed = seed * 1103515245u + 12345u;
        int np = 1 + (int)((seed >> 16) % 16);
        for (int k = 0; k < np; k++) {
            seed = seed * 1103515245u + 12345u;
            const char *pt = parts[(seed >> 16) % (sizeof parts / sizeof *parts)];
            memcpy(x + xn, pt, strlen(pt));
            xn += strlen(pt);
        }
        x[xn] = '\0';
        char val[400];
        int fl = snprintf(val, sizeof val, "from %s by b.example; Mon, 1 Jan 2024 00:00:00 +0000", x);
        (void)fl;
        int want = ref_text_has_ip(val, 5 + xn + 1);
        size_t len;
        char *buf = exact(val, &len);
        rcv_hop h;
        route_parse_received(a, buf, len, &h);
        free(buf);
        with_ip += want;
        if (!!(h.flags & RCV_FROM_HAS_IP) != want) {
            printf("#   '%s': has_ip %d, simple form %d\n", val, !!(h.flags & RCV_FROM_HAS_IP), want);
            same = 0;
        }
        /* RCV_HELO_IS_IP reuses the from word's answer: as asked afresh */
        char tmp[64];
        int helo_ip = h.from_helo && route_ip_normalize(h.from_helo, strlen(h.from_helo), tmp, sizeof tmp);
        helo_same &= !!(h.flags & RCV_HELO_IS_IP) == helo_ip;
        helo_ips += helo_ip;
    }
    arena_free(a);
    ok(same && with_ip > 1000, "received: ", "RCV_FROM_HAS_IP as the simple text scan, 30000 random clauses");
    ok(helo_same && helo_ips > 100, "received: ", "RCV_HELO_IS_IP as route_ip_normalize of from_helo, same clauses");
}

/* received.c's comment_end byte by byte: index just past the comment at
 * s[i] == '(' ('\\' escapes the next byte), len when unclosed */
static size_t ref_comment_end(const char *s, size_t len, size_t i)
{
    int depth = 0;
    for (; i < len; i++) {
        if (s[i] == '\\' && i + 1 < len)
            i++;
        else if (s[i] == '(')
            depth++;
        else if (s[i] == ')' && --depth == 0)
            return i + 1;
    }
    return len;
}

/* Is the word "by" one of the clause tokens? The parser's date split (last
 * ';' outside comments) and tokenizer, with the byte-wise comment_end. */
static int ref_by_token(const char *s, size_t len)
{
    size_t semi = len;
    int depth = 0;
    for (size_t i = 0; i < len; i++) {
        if (s[i] == '\\' && depth > 0 && i + 1 < len)
            i++;
        else if (s[i] == '(')
            depth++;
        else if (s[i] == ')' && depth > 0)
            depth--;
        else if (s[i] == ';' && depth == 0)
            semi = i;
    }
    for (size_t i = 0; i < semi;) {
        if (s[i] == ' ' || s[i] == ')' || s[i] == ';') {
            i++;
            continue;
        }
        if (s[i] == '(') {
            i = ref_comment_end(s, semi, i);
            continue;
        }
        size_t st = i;
        while (i < semi && s[i] != ' ' && s[i] != '(' && s[i] != ')' && s[i] != ';')
            i++;
        if (i - st == 2 && s[st] == 'b' && s[st + 1] == 'y')
            return 1;
    }
    return 0;
}

/* comments of random parentheses, backslashes and filler (the comment scan
 * passes over eight bytes at a time): the by clause is found exactly when
 * the byte-wise scan reaches it outside a comment */
static void test_comment_sweep(void)
{
    static const char alpha[] = "()\\\\xxxxxxxx  ;";
    arena *a = arena_new(0);
    unsigned seed = 31337;
    int same = 1, found = 0;
    for (int it = 0; it < 30000 && same; it++) {
        char val[300];
        size_t n = 0;
        memcpy(val, "from a (", 8);
        n = 8;
        seed = seed * 1103515245u + 12345u;
        size_t len = (seed >> 16) % 60;
        for (size_t k = 0; k < len; k++) {
            seed = seed * 1103515245u + 12345u;
            val[n++] = alpha[(seed >> 16) % (sizeof alpha - 1)];
        }
        n += (size_t)snprintf(val + n, sizeof val - n, " by b.example; Mon, 1 Jan 2024 00:00:00 +0000");
        int want = ref_by_token(val, n);
        char *buf = malloc(n);
        memcpy(buf, val, n);
        rcv_hop h;
        route_parse_received(a, buf, n, &h);
        free(buf);
        found += want;
        if (!!(h.flags & RCV_HAS_BY) != want) {
            printf("#   '%.*s': by %d, simple form %d\n", (int)n, val, !!(h.flags & RCV_HAS_BY), want);
            same = 0;
        }
    }
    arena_free(a);
    ok(same && found > 1000, "received: ", "comments end where the byte-wise scan ends them, 30000 random");
}

/* ------------------------------------------------------------ authres */

static authres_header ar(arena *a, const char *s)
{
    size_t len;
    char *b = exact(s, &len);
    authres_header h;
    authres_parse(a, b, len, &h);
    free(b); /* results live in the arena, not in b */
    return h;
}

static int eq(const char *a, const char *b)
{
    return a && b && !strcmp(a, b);
}

static void test_authres(void)
{
    arena *a = arena_new(0);
    authres_header h;
    const authres_result *r;

    h = ar(a, "mx.google.com; dkim=pass header.i=@example.com header.s=s1 header.b=AbCdEf12; spf=pass (google.com: "
              "domain of bounce@example.com designates 209.85.220.41 as permitted sender) smtp.mailfrom=bounce@example.com; "
              "dmarc=pass (p=REJECT sp=REJECT dis=NONE) header.from=example.com");
    r = authres_find(&h, "dmarc");
    ok(eq(h.authserv_id, "mx.google.com") && h.nresults == 3 && r && eq(r->result, "pass") && eq(r->policy, "REJECT") &&
           eq(authres_prop_get(r, "policy.sp"), "REJECT") && eq(authres_prop_get(r, "header.from"), "example.com"),
       "authres: ", "gmail style, dmarc policy comment");
    r = authres_find(&h, "spf");
    ok(r && eq(r->result, "pass") && eq(authres_prop_get(r, "smtp.mailfrom"), "bounce@example.com") && r->reason &&
           strstr(r->reason, "designates 209.85.220.41"),
       "authres: ", "spf comment becomes reason");
    r = authres_find(&h, "dkim");
    ok(r && eq(authres_prop_get(r, "header.i"), "@example.com") && eq(authres_prop_get(r, "header.s"), "s1") &&
           eq(authres_prop_get(r, "header.b"), "AbCdEf12"),
       "authres: ", "dkim header.i/s/b");

    h = ar(a, "spf=fail (sender IP is 1.2.3.4) smtp.mailfrom=x.example; dkim=none (message not signed) "
              "header.d=none;dmarc=fail action=oreject header.from=x.example;compauth=fail reason=000");
    r = authres_find(&h, "dmarc");
    const authres_result *c = authres_find(&h, "compauth");
    ok(!h.authserv_id && h.nresults == 4 && r && eq(r->result, "fail") && eq(authres_prop_get(r, "action"), "oreject") &&
           c && eq(c->result, "fail") && eq(c->reason, "000") &&
           eq(authres_prop_get(authres_find(&h, "dkim"), "header.d"), "none"),
       "authres: ", "microsoft dialect, no authserv-id, compauth reason");

    h = ar(a, "spf=pass (sender IP is 179.188.7.252) smtp.mailfrom=smtplw-01.com; dkim=pass (signature was verified) "
              "header.d=smtplw-01.com;dmarc=none action=none header.from=uorak.com;compauth=fail reason=001");
    ok(h.nresults == 4 && eq(authres_find(&h, "dmarc")->result, "none") &&
           eq(authres_find(&h, "dkim")->comment, "signature was verified"),
       "authres: ", "microsoft dialect (phish-pot)");

    h = ar(a, "mx.example.org; none");
    ok(eq(h.authserv_id, "mx.example.org") && h.none && h.nresults == 0, "authres: ", "none");

    h = ar(a, "example.org 1; spf=softfail smtp.mailfrom=a@b.c");
    ok(eq(h.authserv_id, "example.org") && h.version == 1 && h.nresults == 1 &&
           eq(authres_find(&h, "spf")->result, "softfail"),
       "authres: ", "version number");

    h = ar(a, "i=1; mx.google.com; dkim=pass header.i=@gmail.com header.s=20210112 header.b=hkJVO3Ut; spf=pass "
              "smtp.mailfrom=rolandjjj2259@gmail.com; dmarc=pass (p=NONE sp=QUARANTINE dis=NONE) header.from=gmail.com");
    ok(h.arc_instance == 1 && eq(h.authserv_id, "mx.google.com") && h.nresults == 3 &&
           eq(authres_find(&h, "dmarc")->policy, "NONE"),
       "authres: ", "ARC-Authentication-Results i=1");

    h = ar(a, "mx.example.net; spf=hardfail reason=\"sender not allowed\" smtp.mailfrom=bad@x.jp");
    r = authres_find(&h, "spf");
    ok(r && eq(r->result, "fail") && eq(r->reason, "sender not allowed"), "authres: ", "hardfail->fail, quoted reason");

    h = ar(a, "mx.example.net; spf=pass smtp.mailfrom=a@b.jp dkim=pass header.d=b.jp dmarc=pass header.from=b.jp");
    ok(h.nresults == 3 && eq(authres_prop_get(authres_find(&h, "dkim"), "header.d"), "b.jp") &&
           eq(authres_prop_get(authres_find(&h, "dmarc"), "header.from"), "b.jp"),
       "authres: ", "missing semicolons between methods");

    h = ar(a, "mail.example.com (Postfix) ; auth=pass (cram-md5) smtp.auth=user@example.com; iprev=fail "
              "policy.iprev=192.0.2.200 (NXDOMAIN)");
    ok(eq(h.authserv_id, "mail.example.com") && h.nresults == 2 && eq(authres_find(&h, "auth")->comment, "cram-md5") &&
           eq(authres_prop_get(authres_find(&h, "iprev"), "policy.iprev"), "192.0.2.200"),
       "authres: ", "comments after authserv-id, auth/iprev");

    h = ar(a, "mailin008.protonmail.ch; dkim=pass (2048-bit key) header.d=dpu.bandung.go.id header.i=@dpu.bandung.go.id "
              "header.b=\"ZwF2x2vx\"");
    ok(h.nresults == 1 && eq(authres_prop_get(authres_find(&h, "dkim"), "header.b"), "ZwF2x2vx"), "authres: ",
       "protonmail quoted header.b");

    h = ar(a, "mx; spf=PASS SMTP.MailFrom=a@b.c; x-custom=pass");
    ok(h.nresults == 2 && eq(authres_find(&h, "spf")->result, "pass") &&
           eq(authres_prop_get(authres_find(&h, "spf"), "smtp.mailfrom"), "a@b.c") && authres_find(&h, "x-custom"),
       "authres: ", "case folding, x- method");

    /* hostile: unclosed comment and quote */
    h = ar(a, "mx; spf=pass (unclosed smtp.mailfrom=\"x");
    ok(h.nresults == 1, "authres: ", "unclosed comment tolerated");
    arena_free(a);
}

static void test_received_spf(void)
{
    arena *a = arena_new(0);
    authres_spf s;
    size_t len;
    char *b;

    b = exact("Pass (mailfrom) identity=mailfrom; client-ip=209.85.220.41; helo=mail-sor-f41.google.com; "
              "envelope-from=x@gmail.com; receiver=<UNKNOWN>",
              &len);
    authres_parse_received_spf(a, b, len, &s);
    ok(eq(s.result, "pass") && eq(s.identity, "mailfrom") && eq(s.client_ip, "209.85.220.41") &&
           eq(s.helo, "mail-sor-f41.google.com") && eq(s.envelope_from, "x@gmail.com") && eq(s.receiver, "UNKNOWN"),
       "received-spf: ", "key=value form");
    free(b);

    b = exact("softfail (domain of transitioning user@example.com does not designate 1.2.3.4 as permitted sender)", &len);
    authres_parse_received_spf(a, b, len, &s);
    ok(eq(s.result, "softfail") && eq(s.client_ip, "1.2.3.4") && eq(s.envelope_from, "user@example.com"),
       "received-spf: ", "comment-only softfail");
    free(b);

    b = exact("Fail (protection.outlook.com: domain of LendPlus.com does not designate 89.144.2.7 as permitted sender) "
              "receiver=protection.outlook.com; client-ip=89.144.2.7; helo=LendPlus.com;",
              &len);
    authres_parse_received_spf(a, b, len, &s);
    ok(eq(s.result, "fail") && eq(s.client_ip, "89.144.2.7") && eq(s.helo, "LendPlus.com") &&
           eq(s.envelope_from, "LendPlus.com") && eq(s.receiver, "protection.outlook.com"),
       "received-spf: ", "microsoft form");
    free(b);
    arena_free(a);
}

static void test_dkim(void)
{
    arena *a = arena_new(0);
    authres_dkim_sig d;
    size_t len;
    char *b = exact("v=1; a=rsa-sha256; c=relaxed/relaxed;\r\n d=example.com; s=s2024;\r\n t=1700000000; "
                    "x=1700600000; h=from:to:subject:\r\n date; i=@example.com; bh=abc=; b=AAA\r\n BBB",
                    &len);
    authres_parse_dkim_signature(a, b, len, &d);
    ok(eq(d.v, "1") && eq(d.a, "rsa-sha256") && eq(d.c, "relaxed/relaxed") && eq(d.d, "example.com") &&
           eq(d.s, "s2024") && d.has_t && d.t == 1700000000LL && d.has_x && d.x == 1700600000LL &&
           eq(d.h, "from:to:subject:date") && eq(d.i, "@example.com") && eq(d.bh, "abc=") && eq(d.b, "AAABBB"),
       "dkim: ", "tags with folding whitespace");
    free(b);
    authres_tag tags[4];
    b = exact("i=1; a=rsa-sha256; d=x; s=y; t=1; cv=none", &len);
    int n = authres_parse_tags(a, b, len, tags, 4);
    ok(n == 4 && eq(tags[3].name, "s"), "dkim: ", "tag list respects max");
    free(b);
    arena_free(a);
}

static void test_spam(void)
{
    arena *a = arena_new(0);
    size_t len;
    char *b;

    b = exact("Yes, score=7.2 required=5.0 tests=A,B autolearn=no version=3.4.6", &len);
    authres_spam_status st;
    authres_parse_spam_status(a, b, len, &st);
    ok(st.flag == 1 && st.has_score && st.score > 7.19 && st.score < 7.21 && st.required > 4.99 && st.ntests == 2 &&
           eq(st.tests[1], "B") && eq(st.autolearn, "no") && eq(st.version, "3.4.6"),
       "spam: ", "X-Spam-Status yes");
    free(b);

    b = exact("No, score=-101.7 required=5.0 tests=ALL_TRUSTED,BAYES_00, HTML_IMAGE_ONLY_16,HTML_MESSAGE, "
              "USER_IN_WHITELIST autolearn=no version=3.3.1",
              &len);
    authres_parse_spam_status(a, b, len, &st);
    ok(st.flag == 0 && st.score < -101.6 && st.ntests == 5 && eq(st.tests[4], "USER_IN_WHITELIST") &&
           eq(st.autolearn, "no"),
       "spam: ", "X-Spam-Status folded tests list");
    free(b);

    b = exact("No, hits=-2.3 required=5.0 tests=none version=2.50-cvs", &len);
    authres_parse_spam_status(a, b, len, &st);
    ok(st.flag == 0 && st.has_score && st.score < -2.29 && st.ntests == 0, "spam: ", "X-Spam-Status hits=, tests=none");
    free(b);

    ok(authres_spam_flag("YES", 3) == 1 && authres_spam_flag(" no ", 4) == 0 && authres_spam_flag("maybe", 5) == -1,
       "spam: ", "X-Spam-Flag");
    ok(authres_spam_level("*******", 7) == 7 && authres_spam_level("", 0) == 0, "spam: ", "X-Spam-Level stars");

    b = exact("default: False [13.11 / 25.00]; ABUSE_SURBL(5.50)[bevakasha.org:url]; BAYES_HAM(-0.39)[77.54%]; "
              "MIME_HTML_ONLY(0.20)[]; FROM_EQ_ENVFROM(0.00)",
              &len);
    authres_rspamd rs;
    authres_parse_spamd_result(a, b, len, &rs);
    ok(rs.is_spam == 0 && rs.has_score && rs.score > 13.10 && rs.required > 24.99 && rs.nsymbols == 4 &&
           eq(rs.symbols[0].name, "ABUSE_SURBL") && rs.symbols[0].score > 5.49 && eq(rs.symbols[0].opts, "bevakasha.org:url") &&
           rs.symbols[1].score < -0.38 && eq(rs.symbols[3].name, "FROM_EQ_ENVFROM") && !rs.symbols[3].opts,
       "spam: ", "X-Spamd-Result");
    free(b);

    double sc;
    ok(authres_parse_score(" 12.30", 6, &sc) && sc > 12.29 && sc < 12.31 && !authres_parse_score("x", 1, &sc), "spam: ",
       "X-Rspamd-Score");

    b = exact("CIP:185.30.177.90;CTRY:NL;LANG:en;SCL:5;SRV:;IPV:NLI;SFV:SPM;H:f28.my.com;PTR:f28.my.com;CAT:SPOOF;"
              "SFS:(13230025)(451199018);DIR:INB;",
              &len);
    authres_ms_antispam ms;
    authres_parse_ms_antispam(a, b, len, &ms);
    ok(eq(ms.cip, "185.30.177.90") && eq(ms.ctry, "NL") && ms.has_scl && ms.scl == 5 && eq(ms.sfv, "SPM") &&
           eq(ms.cat, "SPOOF") && eq(ms.ipv, "NLI") && eq(ms.h, "f28.my.com") && eq(ms.dir, "INB") && eq(ms.srv, "") &&
           eq(ms.sfs, "(13230025)(451199018)") && ms.nkv == 12,
       "spam: ", "X-Forefront-Antispam-Report");
    ok(!strcmp(authres_ms_cat_meaning(ms.cat), "spoofing") && strstr(authres_ms_sfv_meaning("SPM"), "spam") &&
           strstr(authres_ms_ipv_meaning("CAL"), "Allow") && !strcmp(authres_ms_cat_meaning("HPHISH"), "high confidence phishing") &&
           !strcmp(authres_ms_sfv_meaning("XYZ"), "unknown value") && !strcmp(authres_ms_scl_meaning(9), "high confidence spam"),
       "spam: ", "EOP meaning tables");
    free(b);

    b = exact("CIP:2603:10b6::1;SCL:-1;", &len);
    authres_parse_ms_antispam(a, b, len, &ms);
    ok(eq(ms.cip, "2603:10b6::1") && ms.scl == -1, "spam: ", "forefront IPv6 CIP, SCL -1");
    free(b);

    b = exact("BCL:0;ARA:13230031|1800799024;", &len);
    authres_parse_ms_antispam(a, b, len, &ms);
    ok(ms.has_bcl && ms.bcl == 0 && !ms.has_scl && eq(ms.kv[1].value, "13230031|1800799024"), "spam: ",
       "X-Microsoft-Antispam BCL");
    free(b);

    int scl = 99;
    ok(authres_parse_scl(" -1", 3, &scl) && scl == -1 && !authres_parse_scl("x", 1, &scl), "spam: ",
       "X-MS-Exchange-Organization-SCL");
    arena_free(a);
}

/* Truncations and mutations of header samples through every authres parser. */
static void test_authres_fuzz(void)
{
    static const char *const samples[] = {
        "i=1; mx.google.com; dkim=pass header.i=@gmail.com header.s=2021 header.b=hkJVO3Ut; spf=pass (google.com: "
        "domain of a@gmail.com designates 209.85.220.41 as permitted sender) smtp.mailfrom=a@gmail.com; dmarc=pass "
        "(p=NONE sp=QUARANTINE dis=NONE) header.from=gmail.com",
        "spf=fail (sender IP is 1.2.3.4) smtp.mailfrom=x; dkim=none (message not signed) header.d=none;dmarc=fail "
        "action=oreject header.from=x;compauth=fail reason=000",
        "Fail (protection.outlook.com: domain of a.com does not designate 1.2.3.4 as permitted sender) "
        "receiver=protection.outlook.com; client-ip=1.2.3.4; helo=a.com;",
        "v=1; a=rsa-sha256; d=example.com; s=s; t=1; h=from:to; bh=x=; b=AAA BBB",
        "Yes, score=7.2 required=5.0 tests=A,B, C autolearn=no version=3.4.6",
        "default: True [12.3 / 15.0]; SYM(1.0)[a,b]; X(-2)[]",
        "CIP:1.2.3.4;CTRY:NL;SCL:5;SFV:SPM;CAT:PHISH;SFS:(1)(2);DIR:INB;",
    };
    unsigned long seed = 99;
    long runs = 0;
    for (size_t i = 0; i < sizeof samples / sizeof *samples; i++) {
        size_t len = strlen(samples[i]);
        for (size_t cut = 0; cut <= len; cut++) {
            for (int m = 0; m < 8; m++) {
                char *b = malloc(cut ? cut : 1);
                memcpy(b, samples[i], cut);
                for (int z = 0; m && cut && z < 3; z++) {
                    seed = seed * 6364136223846793005UL + 1442695040888963407UL;
                    static const char pick[] = "();[]<>:@ \t\"\\=.,0a/";
                    b[(seed >> 33) % cut] = pick[(seed >> 20) % (sizeof pick - 1)];
                }
                arena *a = arena_new(0);
                authres_header h;
                authres_spf s;
                authres_dkim_sig d;
                authres_spam_status st;
                authres_rspamd rs;
                authres_ms_antispam ms;
                authres_parse(a, b, cut, &h);
                authres_parse_received_spf(a, b, cut, &s);
                authres_parse_dkim_signature(a, b, cut, &d);
                authres_parse_spam_status(a, b, cut, &st);
                authres_parse_spamd_result(a, b, cut, &rs);
                authres_parse_ms_antispam(a, b, cut, &ms);
                arena_free(a);
                free(b);
                runs++;
            }
        }
    }
    ok(runs > 1000, "authres: ", "fuzz truncations/mutations survive (ASan-checked)");
}

/* IPv4 written without inet_ntop: every octet value in every position */
static void test_ip4_format(void)
{
    int same = 1;
    for (int pos = 0; pos < 4; pos++)
        for (int v = 0; v < 256; v++) {
            unsigned o[4] = {203, 0, 113, 7};
            o[pos] = (unsigned)v;
            char in[32], want[32], out[64];
            snprintf(in, sizeof in, "[%u.%u.%u.%u]", o[0], o[1], o[2], o[3]);
            snprintf(want, sizeof want, "%u.%u.%u.%u", o[0], o[1], o[2], o[3]);
            if (route_ip_normalize(in, strlen(in), out, sizeof out) != 4 || strcmp(out, want) != 0)
                same = 0;
            snprintf(in, sizeof in, "::ffff:%u.%u.%u.%u", o[0], o[1], o[2], o[3]);
            if (route_ip_normalize(in, strlen(in), out, sizeof out) != 4 || strcmp(out, want) != 0)
                same = 0;
        }
    ok(same, "ip normalize: ", "every octet value in every position, plain and v4-mapped");
}

/* route_ip6_format against inet_ntop: every pattern of zero and non-zero
 * groups (so every run of "::" and the ::a.b.c.d / ::ffff: forms) with
 * several group values, and a buffer one byte short */
static void test_ip6_format(void)
{
    static const unsigned vals[] = {1, 0xf, 0x10, 0xab, 0x100, 0xfff, 0x1000, 0xffff, 0x2001};
    int same = 1;
    unsigned seed = 7;
    for (unsigned mask = 0; mask < 256 && same; mask++)
        for (size_t k = 0; k < sizeof vals / sizeof *vals && same; k++)
            for (int extra = 0; extra < 3 && same; extra++) {
                unsigned char b[16];
                for (int i = 0; i < 8; i++) {
                    seed = seed * 1103515245u + 12345u;
                    unsigned v = !(mask >> i & 1) ? 0
                                 : extra == 0     ? vals[k]
                                 : extra == 1     ? (i == 5 ? 0xffff : vals[k])
                                                  : (seed >> 8) & 0xffff;
                    if (extra == 2 && (mask >> i & 1) && !v)
                        v = 1;
                    b[2 * i] = (unsigned char)(v >> 8);
                    b[2 * i + 1] = (unsigned char)v;
                }
                char want[64], out[64];
                if (!inet_ntop(AF_INET6, b, want, sizeof want) ||
                    !route_ip6_format(b, out, sizeof out) || strcmp(want, out) != 0) {
                    same = 0;
                    break;
                }
                size_t n = strlen(want);
                if (route_ip6_format(b, out, n) != NULL || !route_ip6_format(b, out, n + 1))
                    same = 0;
            }
    ok(same, "ip6 format: ", "equals inet_ntop for every zero-group pattern");
}

/* route_format_iso's hand path against the snprintf it replaced: every zone
 * offset in minutes over +-24 h at a spread of instants from 1970 to 9999,
 * and the years outside 0-9999 that keep snprintf */
static void test_format_iso(void)
{
    static const long long ep[] = {0, 1, 59, 3599, 86399, 86400, 951782400 /* 2000-02-29 */,
                                   1764547199, 1798761600, 4102444800LL, 253402300799LL /* 9999-12-31 */,
                                   -1, -86400, -62167219200LL /* 0000-01-01 */,
                                   253402300800LL /* 10000-01-01 */, -62167219201LL};
    int same = 1;
    for (size_t i = 0; i < sizeof ep / sizeof *ep && same; i++)
        for (int tz = -1440; tz <= 1440 && same; tz++) {
            char mine[40], want[96];
            route_format_iso(ep[i], tz, mine, sizeof mine);
            /* the old snprintf with the civil date from gmtime_r */
            time_t local = (time_t)(ep[i] + (long long)tz * 60);
            struct tm tm;
            gmtime_r(&local, &tm);
            int off = tz < 0 ? -tz : tz;
            snprintf(want, sizeof want, "%04d-%02d-%02dT%02d:%02d:%02d%c%02d:%02d",
                     tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                     tz < 0 ? '-' : '+', off / 60, off % 60);
            if (strcmp(mine, want) != 0) {
                printf("#   %lld %d -> %s (want %s)\n", ep[i], tz, mine, want);
                same = 0;
            }
        }
    char b[40];
    route_format_iso(951782400, 540, b, sizeof b);
    ok(strcmp(b, "2000-02-29T09:00:00+09:00") == 0, "format_iso: 2000-02-29 in JST ", b);
    route_format_iso(-62167219200LL, -90, b, sizeof b);
    ok(strcmp(b, "-001-12-31T22:30:00-01:30") == 0, "format_iso: before year 0 keeps snprintf's form ", b);
    route_format_iso(253402300800LL, 0, b, sizeof b);
    ok(strcmp(b, "10000-01-01T00:00:00+00:00") == 0, "format_iso: year 10000 ", b);
    ok(same, "format_iso: equals snprintf of gmtime_r's fields for every offset of +-24 h, years 0-10000", "");
}

/* civil_iso against GLib's "%Y-%m-%dT%H:%M:%S%:z" (mime_parse's Date once
 * used it), for years 1000-9999 and whole-minute offsets of +-24 h */
static void test_civil_glib(void)
{
    int same = 1;
    static const int years[] = {1000, 1582, 1900, 1970, 1999, 2000, 2024, 2100, 2400, 9999};
    for (size_t yi = 0; yi < sizeof years / sizeof *years && same; yi++)
        for (int mo = 1; mo <= 12 && same; mo += 11)
            for (int off = -1439; off <= 1439 && same; off += 37) {
                GTimeZone *tz = g_time_zone_new_offset(off * 60);
                GDateTime *dt = g_date_time_new(tz, years[yi], mo, mo == 1 ? 1 : 31, 23, 59, 58);
                char *want = dt ? g_date_time_format(dt, "%Y-%m-%dT%H:%M:%S%:z") : NULL;
                char mine[96];
                if (dt)
                    civil_iso(g_date_time_to_unix(dt), off, mine, sizeof mine);
                if (!want || strcmp(mine, want) != 0) {
                    printf("#   %d-%d off %d: %s vs %s\n", years[yi], mo, off, dt ? mine : "-",
                           want ? want : "-");
                    same = 0;
                }
                g_free(want);
                if (dt)
                    g_date_time_unref(dt);
                g_time_zone_unref(tz);
            }
    ok(same, "civil_iso equals g_date_time_format for years 1000-9999, offsets of +-24 h", "");
}

/* span_ifind against a plain search: random texts over a small alphabet
 * (so matches and near misses are common), keys in both cases */
static const char *naive_ifind(span w, const char *lit)
{
    size_t n = strlen(lit);
    for (size_t i = 0; n && i + n <= w.n; i++) {
        size_t k = 0;
        while (k < n && span_lower(w.p[i + k]) == span_lower(lit[k]))
            k++;
        if (k == n)
            return w.p + i;
    }
    return NULL;
}

static void test_span_ifind(void)
{
    static const char *const keys[] = {"bits)", "may be forged", "AUTH:", "a", "Ab", "x(", "zz"};
    static const char al[] = "abAB ()x:z;";
    char t[80];
    unsigned seed = 99;
    int same = 1;
    for (int r = 0; r < 20000 && same; r++) {
        size_t n = (size_t)(r % 70);
        for (size_t i = 0; i < n; i++) {
            seed = seed * 1103515245u + 12345u;
            t[i] = al[(seed >> 16) % (sizeof al - 1)];
        }
        for (size_t k = 0; k < sizeof keys / sizeof *keys; k++) {
            span w = {t, n};
            if (span_ifind(w, keys[k]) != naive_ifind(w, keys[k]))
                same = 0;
        }
    }
    ok(same, "span_ifind: ", "first match as a plain search, 20000 random texts");
}

/* sender_analyze finds its single fields in one pass (names chained by
 * length): on random header lists (the fields in any case, decoys of the
 * same length, repeats with other values) what it reports follows the
 * first of each name as mime_header_first() finds it */
static void test_sender_fields(void)
{
    static const char *const names[] = {
        "X-Spam-Flag", "x-spam-flag", "X-SPAM-FLAG", "X-Spam-Flaf", "Return-Path", "In-Reply-To",
        "List-Unsubscribe", "list-unsubscribe", "List-Unsubscribf", "Content-Type", "CONTENT-TYPE",
        "Received-SPF", "Mailing-List", "Delivered-To", "Content-Typf", "List-Id", "LIST-ID",
        "List-Ie", "Subject", "Precedence", "precedence", "Message-ID", "References", "List-Post",
        "X-MS-Exchange-Organization-SCL", "x-ms-exchange-organization-scl", "From", "Received"};
    static const char *const values[] = {"YES", "NO", "bulk", "list", "junk", "multipart/report; x=y",
                                         "text/plain", "5", "1", "<mailto:u@example.com>", "x"};
    unsigned seed = 2024;
    int same = 1;
    for (int it = 0; it < 5000 && same; it++) {
        arena *a = arena_new(0);
        km_message m;
        memset(&m, 0, sizeof m);
        km_header hs[24];
        seed = seed * 1103515245u + 12345u;
        size_t nh = (seed >> 16) % 24;
        for (size_t i = 0; i < nh; i++) {
            seed = seed * 1103515245u + 12345u;
            const char *n = names[(seed >> 16) % (sizeof names / sizeof *names)];
            seed = seed * 1103515245u + 12345u;
            const char *v = values[(seed >> 16) % (sizeof values / sizeof *values)];
            hs[i] = (km_header){(char *)n, (char *)v, (char *)v, strlen(v), v, strlen(n)};
        }
        m.headers = hs;
        m.nheaders = nh;
        route_result rr;
        memset(&rr, 0, sizeof rr);
        rr.origin = -1;
        sender_result out;
        sender_analyze(a, &m, &rr, NULL, &out);
        const km_header *h;
        int flag = (h = mime_header_first(&m, "X-Spam-Flag")) ? authres_spam_flag(h->raw_bytes, h->raw_len) : -1;
        int unsub = mime_header_first(&m, "List-Unsubscribe") != NULL;
        int bounce = (h = mime_header_first(&m, "Content-Type")) && strstr(h->raw, "multipart/report");
        const km_header *prec = mime_header_first(&m, "Precedence");
        int list = mime_header_first(&m, "List-Id") || mime_header_first(&m, "List-Post") ||
                   mime_header_first(&m, "Mailing-List") || unsub ||
                   (prec && (strstr(prec->raw, "list") || strstr(prec->raw, "bulk")));
        int scl = -2;
        if ((h = mime_header_first(&m, "X-MS-Exchange-Organization-SCL")))
            authres_parse_scl(h->raw_bytes, h->raw_len, &scl);
        if (out.spam_flag != flag || out.has_unsubscribe != unsub || out.is_bounce != bounce ||
            out.mailing_list != list || out.ms_scl != scl) {
            printf("#   sender fields differ at %d: flag %d/%d unsub %d/%d bounce %d/%d list %d/%d scl %d/%d\n",
                   it, out.spam_flag, flag, out.has_unsubscribe, unsub, out.is_bounce, bounce,
                   out.mailing_list, list, out.ms_scl, scl);
            same = 0;
        }
        arena_free(a);
    }
    ok(same, "sender: ", "single fields as mime_header_first finds them, 5000 random header lists");
}

int main(void)
{
    test_civil_glib();
    test_format_iso();
    test_ip4_format();
    test_ip6_format();
    test_span_ifind();
    test_received_cases();
    test_received_extras();
    test_received_fuzz();
    test_dates();
    test_ip();
    test_ip_parse_sweep();
    test_kv_sweep();
    test_has_ip_sweep();
    test_comment_sweep();
    test_sender_fields();
    test_authres();
    test_received_spf();
    test_dkim();
    test_spam();
    test_authres_fuzz();
    printf("1..%d\n", g_n);
    if (g_fail)
        printf("# %d of %d failed\n", g_fail, g_n);
    return g_fail ? 1 : 0;
}
