package io.relaycontrol.examples.james;

import io.relaycontrol.api.Decision;
import io.relaycontrol.api.RelayDecider;
import io.relaycontrol.api.RelayRequest;
import io.relaycontrol.api.SmtpReply;
import io.relaycontrol.api.Stage;
import io.relaycontrol.api.Verdict;
import io.relaycontrol.core.rules.Rules;
import java.util.Objects;
import org.apache.james.core.MailAddress;
import org.apache.james.core.MaybeSender;
import org.apache.james.core.Username;
import org.apache.james.protocols.api.ProtocolSession;
import org.apache.james.protocols.api.ProtocolSession.State;
import org.apache.james.protocols.api.Response;
import org.apache.james.protocols.api.handler.ConnectHandler;
import org.apache.james.protocols.smtp.SMTPSession;
import org.apache.james.protocols.smtp.hook.HeloHook;
import org.apache.james.protocols.smtp.hook.HookResult;
import org.apache.james.protocols.smtp.hook.HookReturnCode;
import org.apache.james.protocols.smtp.hook.MailHook;
import org.apache.james.protocols.smtp.hook.RcptHook;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * relaycontrol's relay decision as hooks of James's SMTP stack.
 *
 * <ul>
 *   <li><b>connect</b> ({@link ConnectHandler}, add it at index 0 of the chain): asks at
 *       {@link Stage#CONNECT} and remembers a refusal on the session. James's connect handlers cannot stop
 *       the banner, so a refused client gets the refusal at its first command instead (HELO, EHLO, MAIL or
 *       RCPT), with the decision's code and enhanced status, and is disconnected.</li>
 *   <li><b>MAIL FROM</b> ({@link MailHook}): asks at {@link Stage#MAIL} (the sender identity); a refusal
 *       is {@code deny()} (5xx) or {@code denySoft()} (4xx); anything else {@code declined()}, so that
 *       later MAIL hooks still run.</li>
 *   <li><b>RCPT TO</b> ({@link RcptHook}): asks at {@link Stage#RCPT}. <em>If every RCPT hook declines,
 *       James accepts the recipient</em>, so this hook never declines: ALLOW is {@code ok()}, DENY is
 *       {@code deny()}, DEFER is {@code denySoft()}, and NO_OPINION (which a {@code Policy} never returns)
 *       is {@code denySoft()} with {@code 451 4.3.0}. {@code ok()} ends the RCPT hook chain, so hooks
 *       that must still run (recipient validation) go before this one.</li>
 * </ul>
 * The request carries the remote address, the HELO/EHLO name, the login only if an {@code AuthHook}
 * recorded it with {@code session.setUsername} (see {@link DemoAuthHook}), whether STARTTLS is active, the
 * sender ({@code <>} for the null sender), the recipient as James parsed it ({@link MailAddress#asString()}),
 * the recipients accepted so far and the {@code SIZE=} value. Every decision is logged through SLF4J: one
 * line at INFO, {@link Decision#explain()} at DEBUG.
 *
 * <p>Thread-safe if the decider is: one instance serves every session.
 *
 * @since 0.1.0
 */
public class RelayControlHook implements ConnectHandler<SMTPSession>, HeloHook, MailHook, RcptHook {

    private static final Logger LOG = LoggerFactory.getLogger(RelayControlHook.class);

    /** Where the connect-time refusal is kept for the rest of the connection. */
    static final ProtocolSession.AttachmentKey<Decision> CONNECT_REFUSAL =
            ProtocolSession.AttachmentKey.of("relaycontrol.connect-refusal", Decision.class);

    /** James's MailSizeEsmtpExtension keeps the SIZE= value under this key (equal by name and type). */
    private static final ProtocolSession.AttachmentKey<Integer> MESG_SIZE =
            ProtocolSession.AttachmentKey.of("MESG_SIZE", Integer.class);

    private static final SmtpReply NO_DECISION =
            SmtpReply.of(451, "4.3.0", "Relay policy gave no decision, please try again later");

    private volatile RelayDecider decider;

    /**
     * A hook asking {@code decider}.
     *
     * @param decider the relay policy; must be thread-safe
     * @throws NullPointerException if {@code decider} is null
     */
    public RelayControlHook(RelayDecider decider) {
        this.decider = Objects.requireNonNull(decider, "decider");
    }

    /**
     * For subclasses that set the decider later with {@link #setDecider(RelayDecider)}, e.g. from a
     * container's {@code init(Configuration)}. Until then every request is refused with {@code 451 4.3.0}.
     */
    protected RelayControlHook() {
        this.decider = r -> Decision.failed("relaycontrol", new IllegalStateException("no relay policy configured"));
    }

    /**
     * Replaces the relay policy; sessions in progress use the new one from their next command.
     *
     * @param decider the relay policy; must be thread-safe
     */
    protected final void setDecider(RelayDecider decider) {
        this.decider = Objects.requireNonNull(decider, "decider");
    }

    /**
     * Asks at {@link Stage#CONNECT}; a refusal is remembered and answered at the first command.
     *
     * @param session the new session
     * @return {@code null}: this handler writes nothing itself
     */
    @Override
    public Response onConnect(SMTPSession session) {
        Decision d = decide(session, base(session, Stage.CONNECT));
        if (d.verdict().isRefusal()) {
            session.setAttachment(CONNECT_REFUSAL, d, State.Connection);
        }
        return null;
    }

    /**
     * Refuses a client that was refused at connect; otherwise declines.
     *
     * @param session the session
     * @param helo the HELO/EHLO argument
     * @return the hook result
     */
    @Override
    public HookResult doHelo(SMTPSession session, String helo) {
        return connectRefusal(session);
    }

    /**
     * Asks at {@link Stage#MAIL}.
     *
     * @param session the session
     * @param sender the envelope sender
     * @return deny or denySoft with the decision's reply, or declined
     */
    @Override
    public HookResult doMail(SMTPSession session, MaybeSender sender) {
        HookResult refused = connectRefusal(session);
        if (refused != HookResult.DECLINED) {
            return refused;
        }
        RelayRequest.Builder b = base(session, Stage.MAIL);
        if (b == null) {
            return refusal(Decision.failed("relaycontrol", new IllegalStateException("no client address")), false);
        }
        Decision d = decide(session, b.sender(senderPath(sender)));
        return d.verdict().isRefusal() ? refusal(d, false) : HookResult.DECLINED;
    }

    /**
     * Asks at {@link Stage#RCPT}. Never declines.
     *
     * @param session the session
     * @param sender the envelope sender
     * @param rcpt the recipient
     * @return ok, deny or denySoft
     */
    @Override
    public HookResult doRcpt(SMTPSession session, MaybeSender sender, MailAddress rcpt) {
        HookResult refused = connectRefusal(session);
        if (refused != HookResult.DECLINED) {
            return refused;
        }
        RelayRequest.Builder b = base(session, Stage.RCPT);
        if (b == null) {
            return refusal(Decision.failed("relaycontrol", new IllegalStateException("no client address")), false);
        }
        Decision d = decide(session, b.sender(senderPath(sender)).recipient(rcpt.asString())
                .recipientCount(session.getRcptCount()));
        if (d.verdict() == Verdict.ALLOW) {
            return HookResult.builder().hookReturnCode(HookReturnCode.ok()).build();
        }
        if (d.verdict().isRefusal()) {
            return refusal(d, false);
        }
        return result(HookReturnCode.denySoft(), NO_DECISION);
    }

    private static String senderPath(MaybeSender sender) {
        return sender == null || sender.isNullSender() ? "<>" : sender.asString();
    }

    private HookResult connectRefusal(SMTPSession session) {
        return session.getAttachment(CONNECT_REFUSAL, State.Connection)
                .map(d -> refusal(d, true))
                .orElse(HookResult.DECLINED);
    }

    private static HookResult refusal(Decision d, boolean disconnect) {
        SmtpReply r = d.reply().orElse(SmtpReply.TEMPORARY_FAILURE);
        HookReturnCode.Action action = d.verdict() == Verdict.DENY ? HookReturnCode.Action.DENY
                : HookReturnCode.Action.DENYSOFT;
        return result(disconnect ? HookReturnCode.disconnected(action) : HookReturnCode.connected(action), r);
    }

    private static HookResult result(HookReturnCode code, SmtpReply r) {
        return HookResult.builder().hookReturnCode(code).smtpReturnCode(String.valueOf(r.code()))
                .smtpDescription(r.status() + " " + r.text()).build();
    }

    /** @return the request builder with the session's facts, or null if the session has no remote address */
    private static RelayRequest.Builder base(SMTPSession session, Stage stage) {
        if (session.getRemoteAddress() == null || session.getRemoteAddress().getAddress() == null) {
            return null;
        }
        RelayRequest.Builder b = RelayRequest.builder(stage).client(session.getRemoteAddress().getAddress())
                .tls(session.isTLSStarted());
        session.getAttachment(SMTPSession.CURRENT_HELO_NAME, State.Connection).ifPresent(b::helo);
        Username user = session.getUsername();
        if (user != null && !user.asString().isBlank()) {
            b.authenticated(user.asString());
        }
        session.getAttachment(MESG_SIZE, State.Transaction).filter(n -> n > 0).ifPresent(b::declaredSize);
        return b;
    }

    private Decision decide(SMTPSession session, RelayRequest.Builder b) {
        Decision d;
        RelayRequest request = null;
        if (b == null) {
            d = Decision.failed("relaycontrol", new IllegalStateException("session has no remote address"));
        } else {
            try {
                request = b.build();
                d = Rules.decideSafely("relay-policy", decider, request);
            } catch (RuntimeException e) {
                d = Decision.failed("relaycontrol", e);
            }
        }
        if (LOG.isInfoEnabled()) {
            Decision leaf = d.decisive();
            LOG.info("{} {} -> {}{} by {}: {}", session.getSessionID(), printable(String.valueOf(request)),
                    d.verdict(), d.reply().map(r -> " [" + r + "]").orElse(""), leaf.rule(),
                    printable(leaf.reason()));
        }
        if (LOG.isDebugEnabled()) {
            LOG.debug("decision:\n{}", printable(d.explain()));
        }
        return d;
    }

    private static String printable(String s) {
        StringBuilder sb = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\n' || (c >= 0x20 && c < 0x7f)) {
                sb.append(c);
            } else {
                sb.append(String.format("\\u%04x", (int) c));
            }
        }
        return sb.toString();
    }
}
