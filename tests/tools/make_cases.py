#!/usr/bin/env python3
"""make_cases.py - writes the declarative test cases in tests/cases/ and the
demo sample. Run once when cases change; the outputs are committed, so tests
never need Python. Bytes are built by hand where Python's codecs lack the
Microsoft/NEC variants real Japanese mail uses (ISO-2022-JP with ①, ㈱)."""
import base64, json, os, quopri, sys

HERE = os.path.dirname(os.path.abspath(__file__))
CASES = os.path.join(HERE, '..', 'cases')
SAMPLES = os.path.join(HERE, '..', '..', 'data', 'samples')

def b64w(charset, raw):
    return '=?%s?B?%s?=' % (charset, base64.b64encode(raw).decode())

def jis(s):
    """ISO-2022-JP bytes; ①..⑳, ㈱, Ⅲ etc. via NEC row 13 (CP50220 style)."""
    nec = {'①':0x2d21,'②':0x2d22,'③':0x2d23,'㈱':0x2d6a,'№':0x2d62,'Ⅲ':0x2d36}
    out = bytearray(); mode = 'ascii'
    for ch in s:
        if ch in nec:
            code = nec[ch].to_bytes(2, 'big')
        elif ord(ch) < 0x80:
            if mode != 'ascii':
                out += b'\x1b(B'; mode = 'ascii'
            out += ch.encode(); continue
        elif ch == '～':
            code = b'\x21\x41'
        else:
            e = ch.encode('iso2022_jp')
            code = e[3:5]
        if mode != 'jis':
            out += b'\x1b$B'; mode = 'jis'
        out += code
    if mode != 'ascii':
        out += b'\x1b(B'
    return bytes(out)

def write(name, raw, expect):
    if isinstance(raw, str):
        raw = raw.encode()
    with open(os.path.join(CASES, name + '.eml'), 'wb') as f:
        f.write(raw)
    with open(os.path.join(CASES, name + '.expect.json'), 'w', encoding='utf-8') as f:
        json.dump(expect, f, ensure_ascii=False, indent=2); f.write('\n')

HDR = b'From: a@example.jp\nTo: u@example.jp\nDate: Mon, 04 May 2026 15:48:28 +0900\nMessage-ID: <x@example.jp>\n'

def simple(subject_raw, body=b'body\n', ctype=b'text/plain; charset=utf-8', cte=b'7bit', extra=b''):
    return (b'Subject: ' + subject_raw + b'\n' + HDR + extra + b'MIME-Version: 1.0\nContent-Type: ' + ctype +
            b'\nContent-Transfer-Encoding: ' + cte + b'\n\n' + body)

# 1. GMime 3.2.13 trap: padded word followed by a same-charset word
write('rfc2047-padded-eacute', simple(b'=?utf-8?b?w6k=?= =?utf-8?b?w6k=?='),
      {'message': {'subject': 'éé'}})

# 2. Japanese subject over three padded UTF-8 words, a character split between words 2 and 3
subj = '【重要】サービス利用継続のための重要なお知らせ:MFA未設定の場合の利用制限について'
u = subj.encode()
w1, w2, w3 = u[:29], u[29:61], u[61:]   # 29 and 61 are not character boundaries
write('rfc2047-padded-ja-split-char',
      simple((b64w('UTF-8', w1) + '\n ' + b64w('UTF-8', w2) + '\n\t' + b64w('utf-8', w3)).encode()),
      {'message': {'subject': subj}})

# 3. seed style: ISO-2022-JP words, each padded, with ①/㈱ (NEC row 13) in subject and body
subj = '[spam] 【重要】①㈱マネックス証券 多要素認証(MFA)裾定のお願い～'
j = jis(subj[7:])
parts = [j[:20], j[20:40], j[40:]]
# each encoded word must be self-contained ISO-2022-JP: re-split on characters instead
chars = subj[7:]
ws = [jis(chars[:6]), jis(chars[6:14]), jis(chars[14:])]
sraw = ('[spam] ' + '\n '.join(b64w('ISO-2022-JP', w) for w in ws)).encode()
body = jis('お客様各位\n①ログイン ②設定 ㈱マネックス証券\nhttps://example.jp/~user/\n')
write('iso2022jp-nec-ext', simple(sraw, base64.encodebytes(body), b'text/plain; charset="ISO-2022-JP"', b'base64'),
      {'message': {'subject': subj, 'subject_tag': '[spam]',
                   'text': {'$contains': '①ログイン ②設定 ㈱マネックス証券'},
                   'parts': [{'content_type': 'text/plain', 'charset': 'ISO-2022-JP', 'charset_used': 'ISO-2022-JP'}]}})

# 4. ISO-2022-JP body with no charset parameter (Outlook); 7-bit bytes are not "UTF-8"
body = jis('至急ご確認ください。アカウントが停止されます。\n')
write('iso2022jp-no-charset', simple(b'no charset', body, b'text/plain', b'7bit'),
      {'message': {'text': {'$contains': '至急ご確認ください。アカウントが停止されます。'},
                   'parts': [{'charset': None, 'charset_used': 'ISO-2022-JP'}]}})

# 5. ISO-2022-JP inside quoted-printable
body = jis('本人確認のお願い①\n')
write('iso2022jp-in-qp', simple(b'qp jis', quopri.encodestring(body), b'text/plain; charset=iso-2022-jp', b'quoted-printable'),
      {'message': {'text': {'$contains': '本人確認のお願い①'}}})

# 6. Shift_JIS bytes labelled ISO-2022-JP
body = '三井住友カードからのお知らせ①\n'.encode('cp932')
write('sjis-labelled-iso2022jp', simple(b'mislabelled', base64.encodebytes(body), b'text/plain; charset=ISO-2022-JP', b'base64'),
      {'message': {'text': {'$contains': '三井住友カードからのお知らせ①'},
                   'parts': [{'charset': 'ISO-2022-JP', 'charset_used': 'CP932'}],
                   'warnings': {'$len': 1}}})

# 7. HTML part whose only charset is a <meta> tag
html = '<html><head><meta http-equiv="Content-Type" content="text/html; charset=Shift_JIS"><title>t</title><style>p{}</style></head><body><p>りそな銀行</p><p>ご利用確認<br>はこちら</p><script>var x="隠れ";</script></body></html>'.encode('cp932')
write('html-meta-charset-only', simple(b'meta', base64.encodebytes(html), b'text/html', b'base64'),
      {'message': {'text': 'りそな銀行\nご利用確認\nはこちら', 'text_source': 'text/html',
                   'parts': [{'content_type': 'text/html', 'charset': None, 'charset_used': 'CP932'}]}})

# 8. encoded word names UTF-8 but holds Shift_JIS bytes
write('rfc2047-wrong-charset', simple(b64w('UTF-8', 'ゆうちょ銀行'.encode('cp932')).encode()),
      {'message': {'subject': 'ゆうちょ銀行'}})

# 9. raw 8-bit headers: UTF-8 subject, Shift_JIS display name, EUC-JP Reply-To name
raw = (b'Subject: \xe3\x80\x90\xe9\x87\x8d\xe8\xa6\x81\xe3\x80\x91\xe3\x81\x8a\xe7\x9f\xa5\xe3\x82\x89\xe3\x81\x9b\n' +
       b'From: ' + '楽天カード株式会社'.encode('cp932') + b' <info@rakuten-card.example>\n' +
       b'Reply-To: ' + 'ヤマト運輸'.encode('euc_jp') + b' <r@yamato.example>\n' +
       b'To: u@example.jp\nDate: Mon, 04 May 2026 15:48:28 +0900\n\nbody\n')
write('raw-8bit-headers', raw,
      {'message': {'subject': '【重要】お知らせ',
                   'from': {'display_name': '楽天カード株式会社', 'address': 'info@rakuten-card.example', 'domain': 'rakuten-card.example'},
                   'reply_to': [{'display_name': 'ヤマト運輸', 'address': 'r@yamato.example'}]}})

# 10. Shift_JIS (CP932) body: '\' and '~' stay ASCII in URLs (glibc SHIFT_JIS gives ¥ and ‾)
body = 'ログイン: http://example.jp/~user/a\\b ①\n'.encode('cp932')
write('cp932-url-backslash-tilde', simple(b'sjis', body, b'text/plain; charset=Shift_JIS', b'8bit'),
      {'message': {'text': {'$contains': 'http://example.jp/~user/a\\b ①'}, 'parts': [{'charset_used': 'CP932'}]}})

# 11. EUC-JP body, Q-encoded subject with underscores
body = '国税庁からの重要なお知らせ（未納）\n'.encode('euc_jp')
write('eucjp-body-q-subject', simple(b'=?EUC-JP?Q?' + ''.join('=%02X' % c for c in '税務署'.encode('euc_jp')).encode() + b'_notice?=', body, b'text/plain; charset=EUC-JP', b'8bit'),
      {'message': {'subject': '税務署 notice', 'text': {'$contains': '国税庁からの重要なお知らせ（未納）'}}})

# 12. other charsets
write('gb2312-body', simple(b'gb', '请确认您的账户\n'.encode('gb2312'), b'text/plain; charset=gb2312', b'8bit'),
      {'message': {'text': {'$contains': '请确认您的账户'}}})
write('big5-body', simple(b'big5', '請確認您的帳戶\n'.encode('big5'), b'text/plain; charset=big5', b'8bit'),
      {'message': {'text': {'$contains': '請確認您的帳戶'}}})
write('koi8r-body', simple(b'koi8', 'Подтвердите аккаунт\n'.encode('koi8_r'), b'text/plain; charset=koi8-r', b'8bit'),
      {'message': {'text': {'$contains': 'Подтвердите аккаунт'}}})
write('windows1252-body', simple(b'=?windows-1252?Q?Pay_=8020_now?=', 'Café €20 – pay\n'.encode('cp1252'), b'text/plain; charset=windows-1252', b'8bit'),
      {'message': {'subject': 'Pay €20 now', 'text': {'$contains': 'Café €20 – pay'}}})
write('latin1-body', simple(b'=?ISO-8859-1?Q?r=E9sum=E9?=', 'résumé naïve\n'.encode('latin1'), b'text/plain; charset=iso-8859-1', b'quoted-printable'),
      {'message': {'subject': 'résumé', 'text': {'$contains': 'résumé naïve'}}})
write('unknown-charset-label', simple(b'=?x-unknown-cs?B?' + base64.b64encode('確認'.encode()) + b'?=', '本人確認\n'.encode(), b'text/plain; charset=x-bogus', b'8bit'),
      {'message': {'subject': '確認', 'text': {'$contains': '本人確認'}}})

# 13. subject tags from filters
for name, tagged, tag in [('subject-tag-stars', '***SPAM*** win now', '***SPAM***'),
                          ('subject-tag-meiwaku', '[迷惑メール] お知らせ', '[迷惑メール]'),
                          ('subject-tag-none-juyo', '【重要】お知らせ', None),
                          ('subject-tag-none-listname', '[Spambayes] Deployment', None),
                          ('subject-tag-suspected', '[SUSPECTED SPAM] hello', '[SUSPECTED SPAM]')]:
    write(name, simple(b64w('UTF-8', tagged.encode()).encode()),
          {'message': {'subject': tagged, 'subject_tag': tag}})

# 14. multipart: RFC 2231 and RFC 2047 filenames, chunked base64, nested message/rfc822
inner = (b'From: inner@example.jp\nSubject: ' + b64w('UTF-8', '転送されたメール'.encode()).encode() +
         b'\nContent-Type: text/plain; charset=utf-8\n\ninner body\n')
mp = (b'Subject: multipart\n' + HDR + b'MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary="XX"\n\n'
      b'--XX\nContent-Type: multipart/alternative; boundary="YY"\n\n'
      b'--YY\nContent-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: base64\n\n' +
      base64.b64encode('前半'.encode()) + b'\n' + base64.b64encode('後半'.encode()) + b'\n'
      b'--YY\nContent-Type: text/html; charset=utf-8\n\n<p>html</p>\n--YY--\n'
      b'--XX\nContent-Type: application/pdf\nContent-Disposition: attachment; filename*=UTF-8\'\'%E8%AB%8B%E6%B1%82%E6%9B%B8.pdf\nContent-Transfer-Encoding: base64\n\n' +
      base64.b64encode(b'%PDF-1.4 x') + b'\n'
      b'--XX\nContent-Type: application/zip; name="' + b64w('UTF-8', 'ご請求書_2026年.zip'.encode()).encode() + b'"\nContent-Disposition: attachment; filename="' +
      b64w('UTF-8', 'ご請求書_2026年.zip'.encode()).encode() + b'"\nContent-Transfer-Encoding: base64\n\nUEsDBA==\n'
      b'--XX\nContent-Type: message/rfc822\n\n' + inner + b'\n--XX--\n')
write('multipart-filenames-nested', mp,
      {'message': {'text': '前半後半', 'text_source': 'text/plain',
                   'parts': [{'content_type': 'text/plain', 'size': 12, 'depth': 2},
                             {'content_type': 'text/html'},
                             {'content_type': 'application/pdf', 'filename': '請求書.pdf', 'size': 10,
                              'sha256': __import__('hashlib').sha256(b'%PDF-1.4 x').hexdigest()},
                             {'content_type': 'application/zip', 'filename': 'ご請求書_2026年.zip', 'size': 4},
                             {'content_type': 'message/rfc822'},
                             {'content_type': 'text/plain', 'depth': 2}]}})

# 15. identity fields: display name forms, Reply-To list, To group, Return-Path, dates
raw = (b'Return-Path: <bounce@nimody.top>\n'
       b'Received: from ec2-18-183-44-9.ap-northeast-1.compute.amazonaws.com (ec2-18-183-44-9.ap-northeast-1.compute.amazonaws.com [18.183.44.9])\n'
       b'\tby mx.example.jp (Postfix) with ESMTP id 8486757898\n\tfor <user@example.jp>; Mon, 04 May 2026 15:48:31 +0900 (JST)\n'
       b'From: "' + b64w('UTF-8', 'マネックス証券'.encode()).encode() + b'" <MonexInfo@Monex.CO.JP>\n'
       b'Reply-To: "Support, Team" <a@x.example>, b@y.example (Bee Name)\n'
       b'To: undisclosed-recipients:;\n'
       b'Cc: team: c@z.example, d@z.example;\n'
       b'Subject: identity\nDate: Mon, 4 May 2026 06:48:28 +0000\nMessage-ID: <645157245@nimody.top>\n\nbody\n')
write('identity-fields', raw,
      {'message': {'from': {'display_name': 'マネックス証券', 'address': 'MonexInfo@monex.co.jp', 'domain': 'monex.co.jp'},
                   'return_path': 'bounce@nimody.top',
                   'reply_to': [{'display_name': 'Support, Team', 'address': 'a@x.example'},
                                {'display_name': 'Bee Name', 'address': 'b@y.example', 'domain': 'y.example'}],
                   'to': [], 'date': '2026-05-04T06:48:28+00:00', 'received_at': '2026-05-04T15:48:31+09:00',
                   'message_id': '<645157245@nimody.top>'}})

# 16. not a message at all
write('not-a-message-binary', b'\x00\x01\x02\xff\xfe garbage without any header\n\x00',
      {'error': {'code': 'not_a_message'}})

# 17. limits, each crossed
deep = b'Subject: deep\n' + HDR + b'MIME-Version: 1.0\n'
n = 40
for i in range(n):
    deep += b'Content-Type: multipart/mixed; boundary="b%d"\n\n--b%d\n' % (i, i)
deep += b'Content-Type: text/plain\n\nleaf\n'
for i in reversed(range(n)):
    deep += b'--b%d--\n' % i
write('limit-mime-depth', deep, {'message': {'subject': 'deep', 'parts': {'$len': 0},
      'warnings': [{'$contains': 'MIME nesting deeper than 32'}]}})
many = b'Subject: many parts\n' + HDR + b'MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary="P"\n\n'
for i in range(1005):
    many += b'--P\nContent-Type: text/plain\n\n%d\n' % i
many += b'--P--\n'
write('limit-part-count', many, {'message': {'parts': {'$len': 1000},
      'warnings': [{'$contains': 'more than 1000 MIME parts'}]}})
hdrs = b''.join(b'X-Filler-%d: v\n' % i for i in range(2100))
write('limit-header-count', b'Subject: many headers\n' + HDR + hdrs + b'\nbody\n',
      {'message': {'subject': 'many headers', 'warnings': [{'$contains': 'header count 2105 exceeds limit 2000'}]}})
write('limit-header-length', b'Subject: ' + b'A' * 70000 + b'\n' + HDR + b'\nbody\n',
      {'message': {'subject': {'$len': 65535}, 'warnings': [{'$contains': 'truncated to 65536'}]}})

# demo sample (data/samples): the seed report's Monex case, rebuilt with made-up lure and sender
subj_words = ['【重要】サービス利用', '継続のための重要なお知らせ', ':MFA未設定の場合の利用制限について']
sraw = '[spam] ' + '\n '.join(b64w('ISO-2022-JP', jis(w)) for w in subj_words)
text = ('マネックス証券をご利用いただき誠にありがとうございます。\n\n'
        '当社では、お客様の資産を守るため多要素認証(MFA)の裾定をお願いしております。\n'
        '2026年1月31日(土)17時までに裾定が完了していない場合、ご利用を制限させていただきます。\n\n'
        '▼ 設定はこちら\nhttps://open.monex.co.jp/mfa/setting\n\n'
        '※本メールは送信専用です。\n㈱マネックス証券\n')
html = ('<html><body><p>マネックス証券をご利用いただき誠にありがとうございます。</p>'
        '<p>当社では、お客様の資産を守るため多要素認証(MFA)の裾定をお願いしております。<br>'
        '<b>2026年1月31日(土)17時</b>までに裾定が完了していない場合、ご利用を制限させていただきます。</p>'
        '<p>▼ 設定はこちら<br><a href="https://www.threnodycode.cfd/0zOog1">https://open.monex.co.jp/mfa/setting</a></p>'
        '<p>※本メールは送信専用です。<br>㈱マネックス証券</p></body></html>')
demo = (b'Return-Path: <monexinfo@monex.co.jp>\n'
        b'Received: from mail86.shopicantal15.com (231.195.187.35.bc.googleusercontent.com [35.187.195.231])\n'
        b'\tby mx.example.jp (Postfix) with ESMTP id 4ABC1234\n\tfor <user@example.jp>; Mon, 26 Jan 2026 09:12:33 +0900 (JST)\n'
        b'Authentication-Results: mx.example.jp;\n\tspf=softfail (domain of monex.co.jp does not designate 35.187.195.231 as permitted sender) smtp.mailfrom=monex.co.jp;\n'
        b'\tdkim=none; dmarc=fail (p=REJECT) header.from=monex.co.jp\n'
        b'X-Spam-Flag: YES\n'
        b'From: ' + b64w('ISO-2022-JP', jis('マネックス証券')).encode() + b' <monexinfo@monex.co.jp>\n'
        b'To: user@example.jp\nSubject: ' + sraw.encode() + b'\n'
        b'Date: Mon, 26 Jan 2026 09:12:30 +0900\nMessage-ID: <20260126091230.8F2A@monex.co.jp>\n'
        b'MIME-Version: 1.0\nContent-Type: multipart/alternative; boundary="=_demo"\n\n'
        b'--=_demo\nContent-Type: text/plain; charset="ISO-2022-JP"\nContent-Transfer-Encoding: base64\n\n' +
        base64.encodebytes(jis(text)) +
        b'\n--=_demo\nContent-Type: text/html; charset="UTF-8"\nContent-Transfer-Encoding: base64\n\n' +
        base64.encodebytes(html.encode()) + b'\n--=_demo--\n')
os.makedirs(SAMPLES, exist_ok=True)
with open(os.path.join(SAMPLES, 'demo-ja.eml'), 'wb') as f:
    f.write(demo)
write('demo-ja', demo, {'message': {
    'subject': '[spam] ' + ''.join(subj_words), 'subject_tag': '[spam]',
    'from': {'display_name': 'マネックス証券', 'address': 'monexinfo@monex.co.jp', 'domain': 'monex.co.jp'},
    'received_at': '2026-01-26T09:12:33+09:00', 'date': '2026-01-26T09:12:30+09:00',
    'text': {'$contains': '多要素認証(MFA)の裾定'}, 'text_source': 'text/plain'},
    'route': {'origin': {'ip': '35.187.195.231', 'helo': 'mail86.shopicantal15.com',
                         'rdns': '231.195.187.35.bc.googleusercontent.com'}},
    'auth': {'spf': {'result': 'softfail', 'domain': 'monex.co.jp', 'source': 'header'},
             'dmarc': {'result': 'fail', 'policy': 'reject', 'source': 'header'},
             'authserv_id': 'mx.example.jp',
             'tag_reasons': [{'en': 'SPF softfail: 35.187.195.231 is not allowed to send for monex.co.jp'},
                             {'en': 'DMARC fail for monex.co.jp (policy reject)'}]},
    'findings': {'$has_ids': ['SPF_FAIL', 'DMARC_FAIL', 'UPSTREAM_SPAM']}})

# route: internal relays, a forged Authentication-Results below the boundary, Exchange and Gmail hops
raw = (b'Received: from mx2.corp.example.jp (mx2.corp.example.jp [10.1.2.3])\n\tby mail.corp.example.jp (Postfix) with LMTP id AAA1\n\tfor <u@corp.example.jp>; Tue, 10 Feb 2026 10:00:05 +0900\n'
       b'Authentication-Results: mx1.corp.example.jp; spf=fail smtp.mailfrom=sbisec.co.jp; dmarc=fail (p=QUARANTINE) header.from=sbisec.co.jp\n'
       b'Received: from mx1.corp.example.jp (mx1.corp.example.jp [203.0.113.10])\n\tby mx2.corp.example.jp (Postfix) with ESMTPS id AAA0\n\t; Tue, 10 Feb 2026 10:00:04 +0900\n'
       b'Received: from vm-1.example (ec2-54-250-1-2.ap-northeast-1.compute.amazonaws.com [54.250.1.2])\n\tby mx1.corp.example.jp (Postfix) with ESMTP id ZZZ9\n\tfor <u@corp.example.jp>; Tue, 10 Feb 2026 10:00:03 +0900\n'
       b'Authentication-Results: attacker.example; spf=pass smtp.mailfrom=sbisec.co.jp; dkim=pass header.d=sbisec.co.jp; dmarc=pass header.from=sbisec.co.jp\n'
       b'Received: from [192.168.0.5] (helo=localhost) by vm-1.example with esmtpa (Exim 4.96)\n\t(envelope-from <x@vm-1.example>) id 1abcde-000001-AB; Tue, 10 Feb 2026 01:00:01 +0000\n'
       b'From: "SBI\xe8\xa8\xbc\xe5\x88\xb8" <info@sbisec.co.jp>\nTo: u@corp.example.jp\nSubject: route\nDate: Tue, 10 Feb 2026 10:00:00 +0900\n\nbody\n')
write('route-internal-relays-forged-ar', raw,
      {'route': {'origin': {'ip': '54.250.1.2', 'rdns': 'ec2-54-250-1-2.ap-northeast-1.compute.amazonaws.com', 'helo': 'vm-1.example', 'hop': 2},
                 'receiving_domain': 'example.jp',
                 'hops': [{'from_ip': '10.1.2.3', 'protocol': 'LMTP', 'internal': True, 'delay_s': 1},
                          {'from_ip': '203.0.113.10', 'internal': True, 'delay_s': 1},
                          {'from_ip': '54.250.1.2', 'internal': False, 'delay_s': 2},
                          {'from_ip': '192.168.0.5', 'protocol': 'esmtpa', 'internal': True, 'time': '2026-02-10T01:00:01+00:00', 'delay_s': None}]},
       'auth': {'authserv_id': 'mx1.corp.example.jp', 'ignored_authentication_results': 1,
                'spf': {'result': 'fail', 'domain': 'sbisec.co.jp'},
                'dmarc': {'result': 'fail', 'policy': 'quarantine'}}})

raw = (b'Received: from NAM12-DM6-obe.outbound.protection.outlook.com (mail-dm6nam12on2101.outbound.protection.outlook.com [40.107.243.101])\n\tby mx.example.jp (Postfix) with ESMTPS id 4XyZ\n\tfor <u@example.jp>; Wed, 11 Feb 2026 09:00:10 +0900 (JST)\n'
       b'Received: from BY5PR12MB4000.namprd12.prod.outlook.com (2603:10b6:a03:1a0::10) by SA1PR12MB5000.namprd12.prod.outlook.com (2603:10b6:806:2a::12) with Microsoft SMTP Server (version=TLS1_2, cipher=TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384) id 15.20.7000.10; Wed, 11 Feb 2026 00:00:08 +0000\n'
       b'X-Forefront-Antispam-Report: CIP:40.107.243.101;CTRY:US;LANG:ja;SCL:5;SRV:;IPV:NLI;SFV:SPM;H:x;PTR:x;CAT:PHISH;SFS:(1);DIR:INB;\n'
       b'From: Amazon <no-reply@amaz0n-jp.example>\nTo: u@example.jp\nSubject: exchange\nDate: Wed, 11 Feb 2026 00:00:00 +0000\n\nbody\n')
write('route-exchange-online', raw,
      {'route': {'origin': {'ip': '40.107.243.101', 'rdns': 'mail-dm6nam12on2101.outbound.protection.outlook.com'},
                 'hops': [{'delay_s': 2, 'tls': None}, {'protocol': 'Microsoft SMTP Server', 'tls': {'$contains': 'TLS1_2'}}]},
       'auth': {'filters': {'ms_scl': 5, 'ms_sfv': 'SPM', 'ms_cat': 'PHISH'},
                'tag_reasons': [{'en': {'$contains': 'Microsoft EOP judged it spam: SCL 5, SFV SPM, CAT PHISH'}}]}})

# verdict: spam and scam signals beside the phishing tricks (issue 6). Each case
# fails without its rule; the texts are written for these tests.
VHDR = (b'Received: from mta1.bulk-sender.example (mta1.bulk-sender.example [198.51.100.7])\n'
        b'\tby mx.example.jp (Postfix) with ESMTP id V1\n\tfor <u@example.jp>; Mon, 04 May 2026 15:48:30 +0900\n'
        b'To: u@example.jp\nDate: Mon, 04 May 2026 15:48:28 +0900\nMIME-Version: 1.0\n')

def vmail(frm, subject, body, extra=b'', ctype=b'text/plain; charset=utf-8'):
    return (VHDR + b'From: ' + frm + b'\nSubject: ' + subject + b'\nMessage-ID: <v@bulk-sender.example>\n' +
            extra + b'Content-Type: ' + ctype + b'\nContent-Transfer-Encoding: 8bit\n\n' + body)

write('verdict-spam-phrases',
      vmail(b'Daily Health <news@bulk-sender.example>', b'Doctors stunned by this morning ritual',
            'She wanted to lose weight for years. This weird trick melts belly fat and stubborn fat, '
            'and it keeps your blood sugar steady. Try it risk free today.\n'.encode()),
      {'content': {'lure': None},
       'findings': {'$has_ids': ['SPAM_PHRASES', 'SPAM_PHRASES_MANY']},
       'verdict': {'label': 'spam'}})

write('verdict-spam-phrases-ordinary-words',
      vmail(b'Dev List <dev@lists.example.org>', b'Re: inheritance in the parser',
            'Dear friends, a specialist on the list asked why the class inheritance breaks. '
            'The fix keeps the test suite green.\n'.encode()),
      {'findings': {'$lacks_ids': ['SPAM_PHRASES', 'SCAM_LURE']},
       'verdict': {'label': 'clean'}})

# a fake order with a number to call, words split by U+034F, from a free mailbox
cgj = '\u034f'
write('verdict-callback-scam',
      vmail(b'Order Desk <orders.desk.2026@gmail.com>', b'Your order #4471 is confirmed',
            ('Thank you for your order of a gaming laptop.\n' +
             cgj.join('Your order has been processed') + '.\n'
             'If you did not make this purchase, call our support at +1 808 555 0199 to cancel this order.\n').encode()),
      {'findings': {'$has_ids': ['SCAM_LURE', 'FREEMAIL_SCAM', 'OBFUSCATED_TEXT']},
       'verdict': {'label': 'spam'}})

# a short mail whose message is the attached PDF and its password
pdf = base64.encodebytes(b'%PDF-1.4\n% test document, no content\n%%EOF\n')
raw = vmail(b'"[Banco Comunicado 48210937715]" <avisos.banco77@gmail.com>', b'Comunicado urgente',
            b'--b1\nContent-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: 8bit\n\n' +
            'Libere o saldo em até 24 horas. Instruções no arquivo PDF em anexo. Senha: 123\n'.encode() +
            b'--b1\nContent-Type: application/octet-stream; name="instrucoes.pdf"\n'
            b'Content-Disposition: attachment; filename="instrucoes.pdf"\nContent-Transfer-Encoding: base64\n\n' +
            pdf + b'--b1--\n', ctype=b'multipart/mixed; boundary="b1"')
write('verdict-attachment-lure', raw,
      {'content': {'document': 'instrucoes.pdf'},
       'findings': {'$has_ids': ['ATTACHMENT_LURE', 'DISPLAY_NAME_JUNK', 'FREEMAIL_SCAM']},
       'verdict': {'label': 'spam'}})

write('verdict-display-name-junk',
      vmail('"ᴘᴀʏᴍᴇɴᴛ ᴅᴇᴄʟɪɴᴇᴅ" <billing@bulk-sender.example>'.encode(), b'Action needed',
            b'Please review the message from your provider.\n'),
      {'findings': {'$has_ids': ['DISPLAY_NAME_JUNK']}})

write('verdict-reply-to-freemail',
      vmail(b'Lee Foundation <office@foundation.example.org>', b'Donation for you',
            b'You were randomly selected for a donation of one million dollars. As next of kin of our '
            b'late client you are the beneficiary. Contact our barrister.\n',
            extra=b'Reply-To: claims.office2026@gmail.com\n'),
      {'findings': {'$has_ids': ['REPLY_TO_FREEMAIL', 'SCAM_LURE']}})

write('verdict-crypto-wallet-brand',
      vmail(b'MetaMask Support <support@wallet-help.example>', b'Wallet validation required',
            b'Your wallet will be restricted. Connect your wallet and confirm your secret recovery '
            b'phrase at https://wallet-help.example/validate to keep access.\n'),
      {'brand': {'id': 'metamask', 'impersonated': True},
       'findings': {'$has_ids': ['FROM_DISPLAY_BRAND_MISMATCH', 'BRAND_IMPERSONATION', 'SCAM_LURE']},
       'verdict': {'label': 'phishing'}})

print('ok')
