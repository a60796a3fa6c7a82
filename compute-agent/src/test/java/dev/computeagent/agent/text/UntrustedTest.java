package dev.computeagent.agent.text;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class UntrustedTest {

    @Test
    void lineBreaksNulEscapesAndBidiOverridesAreWrittenAsEscapes() {
        assertThat(Untrusted.text("a\r\nb\tc\u0000d\u001b[31me\u2028f\u202eg\u0085h\u007f"))
                .isEqualTo("a\\r\\nb\\tc\\u0000d\\u001b[31me\\u2028f\\u202eg\\u0085h\\u007f");
    }

    @Test
    void ordinaryTextIncludingNonAsciiIsKeptAsItIs() {
        String text = "web <1> & \"db\" ü 日本 \\n already-escaped";
        assertThat(Untrusted.text(text)).isSameAs(text);
        assertThat(Untrusted.text(null)).isEqualTo("null");
    }
}
