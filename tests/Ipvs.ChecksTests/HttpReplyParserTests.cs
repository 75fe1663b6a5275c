using System.Security.Cryptography;
using Ipvs.Checks.Probes;
using Ipvs.Checks.Probes.Http;

namespace Ipvs.ChecksTests;

/// <summary>The incremental HTTP reply parser, fed whole and split at every byte.</summary>
public sealed class HttpReplyParserTests
{
    private const string Chunked =
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Type: text/plain\r\n\r\n" +
        "7;name=value\r\nstatus:\r\n9\r\n green ok\r\n0\r\nX-Trailer: yes\r\n\r\n";

    private static Outcome Parse(HttpCheck check, string reply, int split = 0, bool eof = true, int maxBody = 1 << 20) =>
        Parse(check, Encoding.UTF8.GetBytes(reply), split, eof, maxBody);

    /// <summary>Feeds the reply in pieces of <paramref name="split"/> bytes (0: whole), then EOF unless decided.</summary>
    private static Outcome Parse(HttpCheck check, byte[] reply, int split, bool eof, int maxBody = 1 << 20)
    {
        using var parser = new HttpReplyParser(check, maxBody);
        int step = split <= 0 ? reply.Length : split;
        for (int i = 0; i < reply.Length; i += step)
        {
            if (parser.Feed(reply.AsSpan(i, Math.Min(step, reply.Length - i))))
            {
                return parser.Verdict!.Value;
            }
        }
        Assert.True(eof, "the verdict should be known before the end of the connection");
        return parser.Finish();
    }

    private static HttpCheck Md5Of(string body) => new() { BodyDigest = Convert.ToHexStringLower(MD5.HashData(Encoding.UTF8.GetBytes(body))) };

    [Fact]
    public void Interim_1xx_replies_before_the_final_one_are_skipped_whatever_the_splits()
    {
        // RFC 9110 15.2: a client must parse 1xx replies it did not ask for (103 Early Hints) and
        // judge the final reply; judging the 103 reported a healthy server down.
        const string reply = "HTTP/1.1 103 Early Hints\r\nLink: </style.css>; rel=preload\r\n\r\n" +
            "HTTP/1.1 100 Continue\r\n\r\n" +
            "HTTP/1.1 200 OK\r\nContent-Length: 9\r\n\r\nstatus ok";
        for (int split = 0; split <= reply.Length; split++)
        {
            Assert.Equal(Outcome.Pass, Parse(new HttpCheck(), reply, split, eof: false));
            Assert.Equal(Outcome.Pass, Parse(new HttpCheck { BodyRegex = "^status ok$" }, reply, split, eof: false));
        }
        const string failing = "HTTP/1.1 103 Early Hints\r\n\r\nHTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\n\r\n";
        Assert.Equal("status 503 not in 200-299", Parse(new HttpCheck(), failing, eof: false).Error);
        Assert.Equal("the server closed the connection without a complete reply", Parse(new HttpCheck(), "HTTP/1.1 103 Early Hints\r\n\r\n").Error);
    }

    [Fact]
    public void A_chunked_body_is_decoded_for_the_regex_and_the_digest_whatever_the_splits()
    {
        for (int split = 0; split <= Chunked.Length; split++)
        {
            Assert.Equal(Outcome.Pass, Parse(new HttpCheck { BodyRegex = "^status: green ok$" }, Chunked, split, eof: false));
            Assert.Equal(Outcome.Pass, Parse(Md5Of("status: green ok"), Chunked, split, eof: false));
        }
        Assert.Equal("body does not match /red/", Parse(new HttpCheck { BodyRegex = "red" }, Chunked).Error);
    }

    [Fact]
    public void A_head_split_across_reads_gives_the_same_verdict_as_one_read()
    {
        const string reply = "HTTP/1.1 503 Service Unavailable\r\nServer: x\r\nContent-Length: 4\r\n\r\nbusy";
        for (int split = 1; split <= reply.Length; split++)
        {
            Assert.Equal("status 503 not in 200-299", Parse(new HttpCheck(), reply, split, eof: false).Error);
            Assert.Equal(Outcome.Pass, Parse(new HttpCheck { StatusCodes = [StatusRange.Single(503)], BodyRegex = "^busy$" }, reply, split, eof: false));
        }
    }

    [Fact]
    public void A_check_without_a_body_check_decides_at_the_end_of_the_head()
    {
        // The body never arrives in full; the status alone decides, before the end of the reply.
        Assert.Equal(Outcome.Pass, Parse(new HttpCheck(), "HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\npartial", eof: false));
    }

    [Fact]
    public void Headers_longer_than_64_KiB_fail_the_check()
    {
        string huge = "HTTP/1.1 200 OK\r\n" + string.Concat(Enumerable.Repeat("X-Filler: " + new string('a', 1000) + "\r\n", 70)) + "\r\n";
        Assert.Equal("reply headers too large", Parse(new HttpCheck(), huge, eof: false).Error);
        Assert.Equal("reply headers too large", Parse(new HttpCheck(), huge, split: 1000, eof: false).Error);
        // A head that never ends is cut at the bound too.
        Assert.Equal("reply headers too large", Parse(new HttpCheck(), "HTTP/1.1 200 OK\r\nX: " + new string('b', 70_000), split: 4096, eof: false).Error);
    }

    [Fact]
    public void A_body_delimited_by_the_end_of_the_connection_is_judged_at_eof()
    {
        const string reply = "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\nall good here";
        for (int split = 0; split <= reply.Length; split += 5)
        {
            Assert.Equal(Outcome.Pass, Parse(new HttpCheck { BodyRegex = "good" }, reply, split));
            Assert.Equal(Outcome.Pass, Parse(Md5Of("all good here"), reply, split));
        }
    }

    [Fact]
    public void An_http_1_0_reply_with_lf_only_lines_is_read()
    {
        Assert.Equal(Outcome.Pass, Parse(new HttpCheck { BodyRegex = "^up$" }, "HTTP/1.0 200 OK\nServer: old\n\nup"));
        Assert.Equal("status 404 not in 200-299", Parse(new HttpCheck(), "HTTP/1.0 404 Not Found\r\n\r\n").Error);
        Assert.Equal(Outcome.Pass, Parse(new HttpCheck(), "HTTP/1.0 200\r\n\r\n")); // no reason phrase
    }

    [Fact]
    public void A_reply_cut_short_fails_saying_the_server_closed_the_connection()
    {
        const string closed = "the server closed the connection without a complete reply";
        Assert.Equal(closed, Parse(new HttpCheck(), "").Error);
        Assert.Equal(closed, Parse(new HttpCheck(), "HTTP/1.1 200 OK\r\nContent-Le").Error);
        Assert.Equal(closed, Parse(new HttpCheck { BodyRegex = "x" }, "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nxx").Error);
        Assert.Equal(closed, Parse(new HttpCheck { BodyRegex = "x" }, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nxx\r\n").Error);
    }

    [Fact]
    public void A_reply_that_is_not_http_fails_naming_what_came()
    {
        Assert.Equal("invalid HTTP reply: the status line is 'SSH-2.0-OpenSSH_9.6'", Parse(new HttpCheck(), "SSH-2.0-OpenSSH_9.6\r\n\r\n").Error);
        Assert.Equal("invalid HTTP reply: Content-Length 'ten'", Parse(new HttpCheck(), "HTTP/1.1 200 OK\r\nContent-Length: ten\r\n\r\n").Error);
        Assert.Equal("invalid HTTP reply: a chunk size is not hexadecimal",
            Parse(new HttpCheck { BodyRegex = "x" }, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n").Error);
    }

    [Fact]
    public void A_body_over_the_bound_fails_a_regex_but_a_digest_streams_over_all_of_it()
    {
        string body = new('x', 5000);
        string reply = $"HTTP/1.1 200 OK\r\nContent-Length: {body.Length}\r\n\r\n{body}";
        Assert.Equal("body longer than 1000 bytes, the most matched against a regex",
            Parse(new HttpCheck { BodyRegex = "x" }, reply, split: 700, eof: false, maxBody: 1000).Error);
        Assert.Equal(Outcome.Pass, Parse(Md5Of(body), reply, split: 700, eof: false, maxBody: 1000));
    }

    [Fact]
    public void Bodiless_statuses_end_the_reply_at_the_head()
    {
        Assert.Equal(Outcome.Pass, Parse(new HttpCheck { BodyRegex = "^$" }, "HTTP/1.1 204 No Content\r\n\r\n", eof: false));
        Assert.Equal(Outcome.Pass, Parse(new HttpCheck { BodyRegex = "^$" }, "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n", eof: false));
    }

    [Fact]
    public void The_request_is_a_get_with_host_user_agent_and_connection_close_and_an_escaped_path()
    {
        var endpoint = IPEndPoint.Parse("10.0.0.2:8080");
        Assert.Equal("GET /a%20b?q=%C3%A9 HTTP/1.1\r\nHost: 10.0.0.2:8080\r\nUser-Agent: Ipvs.Checks/0.1\r\nConnection: close\r\n\r\n",
            Encoding.UTF8.GetString(HttpRequest.Encode(new HttpCheck { Path = "/a b?q=é#frag" }, endpoint)));
        Assert.StartsWith("GET /x HTTP/1.1\r\nHost: [2001:db8::2]\r\n",
            Encoding.UTF8.GetString(HttpRequest.Encode(new HttpCheck { Path = "/x" }, IPEndPoint.Parse("[2001:db8::2]:80"))));
        var error = Assert.Throws<ProbeFailure>(() => HttpRequest.Encode(new HttpCheck { VirtualHost = "a\r\nX-Evil: 1" }, endpoint));
        Assert.Contains("control character", error.Message);
    }
}
