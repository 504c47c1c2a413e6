package logwarden;

import io.trino.plugin.hive.HivePlugin;
import io.trino.server.testing.TestingTrinoServer;
import java.io.BufferedReader;
import java.io.FileReader;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;

/**
 * One Trino coordinator on 127.0.0.1. It starts with no catalog and prints
 * {@code LOCAL_TRINO_READY <base URL>}; then each line on standard input names a properties file,
 * whose {@code aws.*} keys become system properties (the AWS SDK's default credential chain reads
 * {@code aws.accessKeyId}, {@code aws.secretAccessKey}, {@code aws.sessionToken} first) and whose
 * other keys are the Hive connector's catalog {@code lake}; it prints
 * {@code LOCAL_TRINO_CATALOG lake} once the catalog takes queries. Starting the engine before
 * the catalog is known lets the local run start it while the organization is being built.
 */
public final class LocalTrino {
  private LocalTrino() {}

  public static void main(String[] args) throws Exception {
    TestingTrinoServer server = TestingTrinoServer.builder().build();
    server.installPlugin(new HivePlugin());
    System.out.println("LOCAL_TRINO_READY " + server.getBaseUrl());
    System.out.flush();
    BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    for (String line = in.readLine(); line != null; line = in.readLine()) {
      if (line.isBlank()) {
        continue;
      }
      Properties file = new Properties();
      try (Reader reader = new FileReader(line.strip(), StandardCharsets.UTF_8)) {
        file.load(reader);
      }
      Map<String, String> catalog = new HashMap<>();
      for (String key : file.stringPropertyNames()) {
        if (key.startsWith("aws.")) {
          System.setProperty(key, file.getProperty(key));
        } else {
          catalog.put(key, file.getProperty(key));
        }
      }
      try {
        server.createCatalog("lake", "hive", catalog);
      } catch (RuntimeException e) {
        // The run waiting for the catalog sees the engine exit, with this in its output.
        e.printStackTrace();
        System.exit(1);
      }
      System.out.println("LOCAL_TRINO_CATALOG lake");
      System.out.flush();
    }
    // Standard input closed: the run that started this engine is gone.
    server.close();
    System.exit(0);
  }
}
