package logwarden;

import java.io.IOException;
import java.io.StringWriter;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Map;

import javax.security.auth.x500.X500Principal;

import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.opensearch.analysis.common.CommonAnalysisPlugin;
import org.opensearch.common.settings.Settings;
import org.opensearch.env.Environment;
import org.opensearch.node.InternalSettingsPreparer;
import org.opensearch.node.Node;
import org.opensearch.painless.PainlessPlugin;
import org.opensearch.plugins.Plugin;
import org.opensearch.transport.Netty4Plugin;

/**
 * A single OpenSearch node on 127.0.0.1 with the security plugin (fine-grained access control),
 * its plugins on the class path instead of a plugins directory. Usage: LocalOpenSearch HTTP_PORT
 * HOME_DIR, where HOME_DIR/config/opensearch-security/ already holds the security configuration
 * the security index is initialised from (written by local/opensearch.ts).
 *
 * <p>TLS is generated here at every start, never committed: a CA, the node's certificate (transport
 * and HTTP), the domain administrator's (the security plugin's admin DN: what the local world uses
 * to create the domain as AWS does) and the signing gateway's client certificate. HTTP requires a
 * client certificate, so only the gateway (local/opensearch-gateway.ts, which verifies SigV4 and
 * forwards the IAM principal) and the domain administrator reach the node.
 */
public final class LocalOpenSearch {
    private LocalOpenSearch() {}

    static final String NODE_DN = "CN=logwarden-local-node,O=logwarden-local";
    static final String ADMIN_DN = "CN=logwarden-local-domain-admin,O=logwarden-local";
    static final String GATEWAY_DN = "CN=logwarden-local-signing-gateway,O=logwarden-local";

    /** Node's constructor that takes class-path plugins is protected. */
    static final class LocalNode extends Node {
        LocalNode(Environment environment, List<Class<? extends Plugin>> plugins) {
            super(environment, plugins, true);
        }
    }

    record Issued(KeyPair keys, X509Certificate certificate) {}

    static Issued issue(String subject, Issued issuer, boolean ca, boolean server) throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
        generator.initialize(2048, new SecureRandom());
        KeyPair keys = generator.generateKeyPair();
        // Names as RFC 2253 strings (most specific first), as the security plugin's settings compare them.
        X500Name name = X500Name.getInstance(new X500Principal(subject).getEncoded());
        X500Name issuerName = issuer == null ? name : X500Name.getInstance(issuer.certificate().getSubjectX500Principal().getEncoded());
        PrivateKey signingKey = issuer == null ? keys.getPrivate() : issuer.keys().getPrivate();
        Instant now = Instant.now();
        PublicKey publicKey = keys.getPublic();
        JcaX509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(
            issuerName,
            new BigInteger(64, new SecureRandom()),
            Date.from(now.minus(Duration.ofHours(1))),
            Date.from(now.plus(Duration.ofDays(2))),
            name,
            publicKey
        );
        builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(ca));
        if (ca) {
            builder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
        } else {
            builder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyEncipherment));
            builder.addExtension(
                Extension.extendedKeyUsage,
                false,
                server
                    ? new ExtendedKeyUsage(new KeyPurposeId[] {KeyPurposeId.id_kp_serverAuth, KeyPurposeId.id_kp_clientAuth})
                    : new ExtendedKeyUsage(KeyPurposeId.id_kp_clientAuth)
            );
        }
        if (server) {
            builder.addExtension(
                Extension.subjectAlternativeName,
                false,
                new GeneralNames(new GeneralName[] {new GeneralName(GeneralName.iPAddress, "127.0.0.1"), new GeneralName(GeneralName.dNSName, "localhost")})
            );
        }
        X509CertificateHolder holder = builder.build(new JcaContentSignerBuilder("SHA256withRSA").build(signingKey));
        return new Issued(keys, new JcaX509CertificateConverter().getCertificate(holder));
    }

    static void writePem(Path file, Object object, boolean secret) throws IOException {
        StringWriter out = new StringWriter();
        try (JcaPEMWriter writer = new JcaPEMWriter(out)) {
            writer.writeObject(object);
        }
        Files.writeString(file, out.toString());
        if (secret) Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
    }

    static void writeIssued(Path config, String name, Issued issued) throws Exception {
        writePem(config.resolve(name + ".pem"), issued.certificate(), false);
        writePem(config.resolve(name + "-key.pem"), new JcaPKCS8Generator(issued.keys().getPrivate(), null), true);
    }

    @SuppressWarnings("unchecked")
    public static void main(String[] args) throws Exception {
        if (args.length != 2) {
            System.err.println("usage: LocalOpenSearch HTTP_PORT HOME_DIR");
            System.exit(2);
        }
        int port = Integer.parseInt(args[0]);
        Path home = Path.of(args[1]).toAbsolutePath();
        for (String dir : new String[] {"config", "data", "logs"}) Files.createDirectories(home.resolve(dir));
        Path config = home.resolve("config");

        Issued ca = issue("CN=logwarden-local-ca,O=logwarden-local", null, true, false);
        writePem(config.resolve("root-ca.pem"), ca.certificate(), false);
        writeIssued(config, "node", issue(NODE_DN, ca, false, true));
        writeIssued(config, "admin", issue(ADMIN_DN, ca, false, false));
        writeIssued(config, "gateway", issue(GATEWAY_DN, ca, false, false));

        Settings settings = Settings.builder()
            .put("path.home", home.toString())
            .put("path.data", home.resolve("data").toString())
            .put("path.logs", home.resolve("logs").toString())
            .put("cluster.name", "logwarden-local")
            .put("node.name", "local")
            .put("discovery.type", "single-node")
            .put("network.host", "127.0.0.1")
            .put("http.port", port)
            .put("transport.port", 0)
            .put("cluster.routing.allocation.disk.threshold_enabled", false)
            // Node-to-node and HTTPS encryption, as a domain with fine-grained access control requires.
            .put("plugins.security.ssl.transport.pemcert_filepath", "node.pem")
            .put("plugins.security.ssl.transport.pemkey_filepath", "node-key.pem")
            .put("plugins.security.ssl.transport.pemtrustedcas_filepath", "root-ca.pem")
            .put("plugins.security.ssl.transport.enforce_hostname_verification", false)
            .put("plugins.security.ssl.http.enabled", true)
            .put("plugins.security.ssl.http.pemcert_filepath", "node.pem")
            .put("plugins.security.ssl.http.pemkey_filepath", "node-key.pem")
            .put("plugins.security.ssl.http.pemtrustedcas_filepath", "root-ca.pem")
            .put("plugins.security.ssl.http.clientauth_mode", "REQUIRE")
            .putList("plugins.security.nodes_dn", NODE_DN)
            .putList("plugins.security.authcz.admin_dn", ADMIN_DN)
            // The security index is created from config/opensearch-security/ on first start.
            .put("plugins.security.allow_default_init_securityindex", true)
            // As in OpenSearch Service, the roles that may call the security REST API.
            .putList("plugins.security.restapi.roles_enabled", "all_access", "security_manager")
            // Audit events go to an index of this node (OpenSearch Service publishes them to CloudWatch Logs).
            .put("plugins.security.audit.type", "internal_opensearch")
            .put("plugins.security.system_indices.enabled", true)
            .build();
        List<Class<? extends Plugin>> plugins = new ArrayList<>(List.of(Netty4Plugin.class, CommonAnalysisPlugin.class, PainlessPlugin.class));
        // On the class path from the verified plugin zip (local/opensearch.ts), not a compile-time dependency.
        plugins.add((Class<? extends Plugin>) Class.forName("org.opensearch.security.OpenSearchSecurityPlugin"));
        Environment environment = InternalSettingsPreparer.prepareEnvironment(settings, Map.of(), config, () -> "local");
        Node node = new LocalNode(environment, plugins);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                node.close();
            } catch (Exception e) {
                // Shutting down anyway.
            }
        }));
        node.start();
        System.out.println("READY https://127.0.0.1:" + port);
        Thread.currentThread().join();
    }
}
