package logwarden;

import io.trino.plugin.hive.HivePlugin;
import io.trino.server.testing.TestingTrinoServer;
import java.io.FileReader;
import java.io.Reader;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;

/**
 * One Trino coordinator on 127.0.0.1 with the Hive connector as catalog {@code lake}, its
 * properties (Glue and S3 endpoints of the stand-ins, credentials) read from the file named by
 * the first argument. Prints {@code LOCAL_TRINO_READY <base URL>} once it takes queries.
 */
public final class LocalTrino {
  private LocalTrino() {}

  public static void main(String[] args) throws Exception {
    Properties file = new Properties();
    try (Reader reader = new FileReader(args[0])) {
      file.load(reader);
    }
    Map<String, String> catalog = new HashMap<>();
    for (String key : file.stringPropertyNames()) {
      catalog.put(key, file.getProperty(key));
    }
    TestingTrinoServer server = TestingTrinoServer.builder().build();
    server.installPlugin(new HivePlugin());
    server.createCatalog("lake", "hive", catalog);
    System.out.println("LOCAL_TRINO_READY " + server.getBaseUrl());
    Thread.currentThread().join();
  }
}
