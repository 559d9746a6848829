package org.consilium.simulations;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.consilium.deploy.Provisioner;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A node checks its data against the consortium's data dictionary before it will start. */
class NodeDictionaryCheckTest {
  @TempDir
  Path dir;

  /** Provisions one node over the given CSV text and runs consilium-node --check on its kit. */
  private NodeCheck check(String csv) throws Exception {
    Path data = dir.resolve("site.csv");
    Files.writeString(data, csv);
    Provisioner.Consortium kits = Provisioner.provision(new Provisioner.Plan("check", dir.resolve("kits-" + csv.hashCode()), "127.0.0.1",
        1, 2, 3, List.of(new Provisioner.NodePlan("alpha", Map.of(HeartDisease.DATASET, data), Map.of())), Map.of(), 0,
        HeartDisease.dictionaryText()));
    return NodeCheck.run(kits.nodeConfigs().get("alpha"));
  }

  private static final String HEADER = "age,sex,cp,trestbps,chol,fbs,restecg,thalach,exang,oldpeak,slope,ca,thal,num";

  @Test
  void dataThatMatchesTheDictionaryStarts() throws Exception {
    NodeCheck r = check(HEADER + ",internal_id\n63,1,1,145,233,1,2,150,0,2.3,3,0,6,0,991\n");
    assertEquals(0, r.exit(), r.err());
    assertTrue(r.out().contains("data dictionary version 1"), r.out());
  }

  @Test
  void aMissingColumnStopsTheNodeNamingIt() throws Exception {
    NodeCheck r = check(HEADER.replace(",thal", "") + "\n63,1,1,145,233,1,2,150,0,2.3,3,0,0\n");
    assertEquals(2, r.exit());
    assertTrue(r.err().contains("column 'thal' of the data dictionary is missing"), r.err());
  }

  @Test
  void anUndeclaredCategoryCodeStopsTheNodeNamingTheRow() throws Exception {
    NodeCheck r = check(HEADER + "\n63,1,1,145,233,1,2,150,0,2.3,3,0,6,0\n50,2,1,140,200,0,0,150,0,1,2,0,3,1\n");
    assertEquals(2, r.exit());
    assertTrue(r.err().contains("row 2: column 'sex' has 2, not one of the declared codes [0, 1]"), r.err());
  }
}
